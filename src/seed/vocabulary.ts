// Vocabulary for the generated demo corpus: sections, reporters, and phrases per section.
export const SECTIONS = [
  { slug: 'politics', name: '정치' },
  { slug: 'economy', name: '경제' },
  { slug: 'society', name: '사회' },
  { slug: 'environment', name: '환경' },
  { slug: 'world', name: '국제' },
  { slug: 'culture', name: '문화' },
] as const;

export const REPORTERS = [
  { slug: 'kim-minjun', name: '김민준', title: '선임기자' },
  { slug: 'lee-seoyeon', name: '이서연', title: '기자' },
  { slug: 'park-jiho', name: '박지호', title: '기자' },
  { slug: 'choi-yujin', name: '최유진', title: '기자' },
  { slug: 'jung-haneul', name: '정하늘', title: '편집위원' },
  { slug: 'kang-doyun', name: '강도윤', title: '기자' },
  { slug: 'jo-sua', name: '조수아', title: '기자' },
  { slug: 'yoon-seojun', name: '윤서준', title: '선임기자' },
] as const;

export const TOPICS: Record<string, { subjects: string[]; topics: string[]; tags: [string, string][] }> = {
  politics: {
    subjects: ['국회', '정부', '여야', '행정안전부', '서울시의회', '국무총리실'],
    topics: [
      '지방재정 개편안',
      '기후위기 대응 법안',
      '탄소중립 예산',
      '지역균형발전 특별법',
      '공공기관 이전',
      '선거제도 개편',
    ],
    tags: [
      ['national-assembly', '국회'],
      ['budget', '예산'],
      ['local-government', '지방자치'],
    ],
  },
  economy: {
    subjects: ['한국전력', '현대제철', '삼성전자', '중소벤처기업부', '한국은행', '산업통상자원부'],
    topics: ['재생에너지 투자', '수출 실적', '탄소국경조정 대응', '반도체 공급망', '기준금리', '친환경 설비 전환'],
    tags: [
      ['energy', '에너지'],
      ['trade', '통상'],
      ['industry', '산업'],
    ],
  },
  society: {
    subjects: ['서울시', '교육부', '보건복지부', '경찰청', '식품의약품안전처', '대한적십자사'],
    topics: [
      '폭염 대비 쉼터 운영',
      '청년 주거 지원',
      '미세먼지 저감 조치',
      '학교 급식 개선',
      '마약 예방 교육',
      '돌봄 서비스 확대',
    ],
    tags: [
      ['welfare', '복지'],
      ['education', '교육'],
      ['safety', '안전'],
    ],
  },
  environment: {
    subjects: ['환경부', '국립공원공단', '한국수자원공사', '기상청', '서울환경연합', '국립생태원'],
    topics: [
      '플라스틱 감축 로드맵',
      '하천 생태 복원',
      '멸종위기종 보호',
      '탄소중립 실천',
      '녹색 건축 인증',
      '기후변화 적응 대책',
    ],
    tags: [
      ['climate', '기후'],
      ['biodiversity', '생물다양성'],
      ['recycling', '재활용'],
    ],
  },
  world: {
    subjects: ['베이징시', '유엔환경계획', '유럽연합', '도쿄도', '미국 환경보호청', '세계기상기구'],
    topics: ['도시 외교', '기후 협약 이행', '국제 탄소시장', '해양 쓰레기 협약', '공동 연구 협력', '재난 대응 공조'],
    tags: [
      ['city-diplomacy', '도시외교'],
      ['climate', '기후'],
      ['un', '유엔'],
    ],
  },
  culture: {
    subjects: ['국립중앙박물관', '문화체육관광부', '서울문화재단', '국립극장', '한국관광공사', '부산국제영화제'],
    topics: ['생태 예술 전시', '전통문화 축제', '지역 관광 활성화', '친환경 공연', '문화유산 보존', '청년 예술인 지원'],
    tags: [
      ['exhibition', '전시'],
      ['festival', '축제'],
      ['heritage', '문화유산'],
    ],
  },
};

export const ACTIONS = ['추진', '발표', '확대', '본격화', '논의', '강화', '협약 체결', '점검', '착수', '재개'];
export const HEADLINE_TAILS = [
  '',
  '…시민 참여 확대',
  '…내년부터 시행',
  '…현장 목소리 반영',
  '…전문가 "실효성 높여야"',
  '…3년 만에 재개',
];

export const SENTENCES = [
  '{subject}는 {day}일 {topic}을 위한 세부 계획을 공개하고 관계 기관과 협력해 단계적으로 추진하겠다고 밝혔다.',
  '이번 조치는 지난해부터 이어진 논의의 결과로, 현장의 의견을 폭넓게 수렴해 마련됐다.',
  '관계자는 "{topic}은 시민의 삶과 직결된 과제인 만큼 속도감 있게 추진하겠다"고 말했다.',
  '전문가들은 제도의 실효성을 높이기 위해 예산과 인력이 충분히 뒷받침돼야 한다고 지적했다.',
  '{subject}는 올해 하반기까지 시범 사업을 마치고 그 결과를 토대로 대상을 넓힐 계획이다.',
  '특히 취약계층과 지역 간 격차를 줄이는 데 중점을 두고 맞춤형 지원 방안을 함께 검토하고 있다.',
  '업계에서는 {topic}이 중장기적으로 탄소 배출을 줄이고 새로운 일자리를 만드는 계기가 될 것으로 기대하고 있다.',
  '한편 일부 시민단체는 절차의 투명성을 높이고 주민 참여를 보장해야 한다는 의견을 냈다.',
  '{subject}는 추진 상황을 정기적으로 점검하고 그 결과를 누리집에 공개할 예정이다.',
  '이날 행사에는 관계 기관장과 지역 주민 등 200여 명이 참석해 의견을 나눴다.',
];
