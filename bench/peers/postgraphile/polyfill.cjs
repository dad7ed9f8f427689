// PostGraphile 5 calls Promise.withResolvers (Node 22); loaded with NODE_OPTIONS=--require on Node 20.
if (!Promise.withResolvers) {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
}
