// Reference ids for the seed's corpus generator in tests that need no database (sections, reporters, tags).
export const corpusRefs = {
  sections: ['politics', 'economy', 'society', 'environment', 'world', 'culture'].map((slug, i) => ({
    id: i + 1,
    slug,
  })),
  reporterIds: [2, 3, 4, 5],
  tagIds: new Map([
    ['climate', 1],
    ['energy', 2],
  ]),
};
