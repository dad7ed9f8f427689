// The live newsroom board: plain ES module, no build step, talking to the same server's /graphql over
// HTTP (queries) and WebSocket (graphql-ws, its browser build served at /dashboard/graphql-ws.js).
// One connection at a time; when it drops, it reconnects with backoff and resumes the article stream
// from the last cursor, counting what it missed.
const API = `${location.origin}/graphql`;
const WS = API.replace(/^http/, 'ws');
const COLORS = ['#c8102e', '#1d4ed8', '#15803d', '#a16207', '#7c3aed'];
const $ = (id) => document.getElementById(id);

const state = {
  cursor: null, // the last article event's cursor: everything after it is still to come
  latest: [],
  breaking: [],
  section: '',
  rankings: { HOUR: [], DAY: [] },
  samples: new Map(), // article id -> [{ t, count }]
  headlines: new Map(),
  everConnected: false,
  missed: 0,
};

async function query(q, variables = {}) {
  const res = await fetch(API, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: q, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

// ---- connection state ------------------------------------------------------------------------
function setConn(kind, text) {
  $('conn').dataset.state = kind;
  $('conn').textContent = text;
}
function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

// ---- latest articles and the breaking-news ticker -----------------------------------------------
const ARTICLE = 'id headline url breaking publishedAt section { name }';
function addArticle(article, { arrived, replayed }) {
  if (state.latest.some((a) => a.id === article.id)) return;
  state.latest.unshift({ ...article, arrived, fresh: true, replayed });
  state.latest = state.latest.slice(0, 15);
  if (article.breaking) state.breaking = [article, ...state.breaking].slice(0, 5);
  renderLatest();
}
function renderLatest() {
  $('latest').replaceChildren(
    ...state.latest.map((a) => {
      const li = document.createElement('li');
      li.dataset.id = a.id;
      if (a.fresh) li.className = 'new';
      a.fresh = false;
      const time = document.createElement('time');
      time.textContent = a.arrived
        ? `${a.arrived.toLocaleTimeString('ko-KR')} 도착${a.replayed ? ' (재연결 후 수신)' : ''}`
        : new Date(a.publishedAt).toLocaleString('ko-KR');
      const link = document.createElement('a');
      link.href = a.url;
      link.textContent = a.headline;
      const section = document.createElement('span');
      section.className = 'meta';
      section.textContent = a.section?.name ?? '';
      const parts = [time];
      if (a.breaking)
        parts.push(Object.assign(document.createElement('span'), { className: 'badge', textContent: '속보' }));
      li.append(...parts, link, section);
      return li;
    }),
  );
  const ticker = $('ticker-items');
  if (state.breaking.length)
    ticker.replaceChildren(
      ...state.breaking.map((a) => Object.assign(document.createElement('span'), { textContent: a.headline })),
    );
}

// ---- most viewed -------------------------------------------------------------------------------
const ENTRY = 'rank previousRank views article { id headline url }';
function renderRanking(window) {
  $(`rank-${window}`).replaceChildren(
    ...state.rankings[window].map((e) => {
      state.headlines.set(e.article.id, e.article.headline);
      const li = document.createElement('li');
      li.dataset.id = e.article.id;
      const move = document.createElement('span');
      const p = e.previousRank;
      const [cls, text] =
        p == null
          ? ['new', 'NEW']
          : p > e.rank
            ? ['up', `▲${p - e.rank}`]
            : p < e.rank
              ? ['down', `▼${e.rank - p}`]
              : ['same', '–'];
      move.className = `move ${cls}`;
      move.textContent = text;
      const title = document.createElement('span');
      title.textContent = `${e.article.headline} `;
      title.append(
        Object.assign(document.createElement('span'), {
          className: 'meta',
          textContent: `${e.views.toLocaleString('ko-KR')}회`,
        }),
      );
      li.append(
        Object.assign(document.createElement('span'), { className: 'rank', textContent: String(e.rank) }),
        title,
        move,
      );
      return li;
    }),
  );
}
async function loadRankings() {
  const section = state.section || null;
  const data = await query(
    `query($s: String) { hour: mostViewed(window: HOUR, section: $s, first: 10) { ${ENTRY} } day: mostViewed(window: DAY, section: $s, first: 10) { ${ENTRY} } }`,
    { s: section },
  );
  state.rankings = { HOUR: data.hour, DAY: data.day };
  renderRanking('HOUR');
  renderRanking('DAY');
}

// ---- views per minute of the top articles (sampled every 5 s) -------------------------------------
async function sampleViews() {
  const ids = state.rankings.HOUR.slice(0, 5).map((e) => e.article.id);
  if (!ids.length) return;
  const data = await query(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Article { id headline viewCount } } }`, {
    ids,
  });
  const t = Date.now();
  for (const a of data.nodes.filter(Boolean)) {
    state.headlines.set(a.id, a.headline);
    const s = state.samples.get(a.id) ?? [];
    s.push({ t, count: a.viewCount });
    state.samples.set(
      a.id,
      s.filter((x) => t - x.t <= 10 * 60_000),
    );
  }
  renderChart(ids);
}
function renderChart(ids) {
  const W = 600,
    H = 180,
    L = 36,
    B = 20;
  const series = ids.map((id) => {
    const s = state.samples.get(id) ?? [];
    const points = [];
    for (let i = 1; i < s.length; i++)
      points.push({
        t: s[i].t,
        perMinute: ((s[i].count - s[i - 1].count) * 60_000) / Math.max(1, s[i].t - s[i - 1].t),
      });
    return { id, points };
  });
  const now = Date.now();
  const max = Math.max(1, ...series.flatMap((x) => x.points.map((p) => p.perMinute)));
  const x = (t) => L + ((W - L - 8) * (t - (now - 10 * 60_000))) / (10 * 60_000);
  const y = (v) => H - B - ((H - B - 8) * v) / max;
  const svg = [
    `<line x1="${L}" y1="${H - B}" x2="${W - 8}" y2="${H - B}" stroke="#9ca3af"/>`,
    `<text x="2" y="${y(max) + 4}">${Math.round(max)}</text>`,
    `<text x="2" y="${H - B}">0</text>`,
    `<text x="${L}" y="${H - 4}">10분 전</text>`,
    `<text x="${W - 40}" y="${H - 4}">지금</text>`,
  ];
  series.forEach((s, i) => {
    if (s.points.length > 1)
      svg.push(
        `<polyline fill="none" stroke-width="2" stroke="${COLORS[i]}" points="${s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.perMinute).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const p of s.points.slice(-1))
      svg.push(`<circle r="3" fill="${COLORS[i]}" cx="${x(p.t).toFixed(1)}" cy="${y(p.perMinute).toFixed(1)}"/>`);
  });
  $('chart').innerHTML = svg.join('');
  $('legend').replaceChildren(
    ...series.map((s, i) => {
      const li = document.createElement('li');
      const last = s.points.at(-1)?.perMinute ?? 0;
      li.append(
        Object.assign(document.createElement('i'), { style: `background:${COLORS[i]}` }),
        `${state.headlines.get(s.id) ?? s.id} — 분당 ${Math.round(last)}회`,
      );
      return li;
    }),
  );
}

// ---- the live connection -------------------------------------------------------------------------
let client = null;
let attempt = 0;
let rankingSubs = [];

function subscribeRankings() {
  for (const stop of rankingSubs) stop();
  rankingSubs = ['HOUR', 'DAY'].map((window) =>
    client.subscribe(
      {
        query: `subscription($w: RankingWindow!, $s: String) { mostViewedChanged(window: $w, section: $s, first: 10) { ${ENTRY} } }`,
        variables: { w: window, s: state.section || null },
      },
      {
        next: ({ data }) => data && ((state.rankings[window] = data.mostViewedChanged), renderRanking(window)),
        error: () => {},
        complete: () => {},
      },
    ),
  );
}

function connect() {
  const resuming = state.everConnected;
  const c = (client = graphqlWs.createClient({
    url: WS,
    lazy: false,
    retryAttempts: 0,
    keepAlive: 10_000,
    on: {
      connected: () => {
        attempt = 0;
        state.everConnected = true;
        state.missed = 0;
        showError(null);
        setConn(resuming ? 'resumed' : 'connected', resuming ? '다시 연결됨 · 놓친 기사 0건' : '연결됨');
        c.subscribe(
          {
            query: `subscription($after: String) { articlePublished(after: $after) { cursor replayed gap article { ${ARTICLE} } } }`,
            variables: { after: state.cursor },
          },
          {
            next: ({ data }) => {
              const e = data?.articlePublished;
              if (!e) return;
              state.cursor = e.cursor;
              if (e.replayed) {
                state.missed++;
                setConn('resumed', `다시 연결됨 · 놓친 기사 ${state.missed}건${e.gap ? ' 이상' : ''}`);
              }
              if (e.article) addArticle(e.article, { arrived: new Date(), replayed: e.replayed });
            },
            error: () => {},
            complete: () => {},
          },
        );
        subscribeRankings();
        if (resuming) loadRankings().catch(() => {});
      },
      closed: () => {
        if (client !== c) return;
        client = null;
        rankingSubs = [];
        c.dispose();
        const delay = Math.min(500 * 2 ** attempt++, 5_000);
        if (state.everConnected) setConn('reconnecting', `재연결 중… (${attempt}번째 시도)`);
        else setConn('offline', '연결 안 됨');
        showError(`서버에 연결할 수 없습니다. ${Math.round(delay / 100) / 10}초 후 자동으로 다시 연결합니다.`);
        setTimeout(connect, delay);
      },
    },
  }));
}

async function start() {
  try {
    const data = await query(`{ sections { slug name } articles(first: 10) { edges { cursor node { ${ARTICLE} } } } }`);
    for (const s of data.sections) $('section').append(new Option(s.name, s.slug));
    state.cursor = data.articles.edges[0]?.cursor ?? null;
    for (const edge of [...data.articles.edges].reverse()) addArticle(edge.node, { arrived: null, replayed: false });
    await loadRankings();
    connect();
  } catch {
    setConn('offline', '연결 안 됨');
    showError('서버에 연결할 수 없습니다. 5초 후 다시 시도합니다.');
    setTimeout(start, 5_000);
    return;
  }
  $('section').addEventListener('change', () => {
    state.section = $('section').value;
    state.samples.clear();
    loadRankings().catch(() => {});
    if (client) subscribeRankings();
  });
  setInterval(() => sampleViews().catch(() => {}), 5_000);
  sampleViews().catch(() => {});
}

start();
