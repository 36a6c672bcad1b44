import { serverTimeIfSkewed, SKEW_EVIDENCE_MS } from '../../lib/apig/clock-skew.js';

const SERVER_MS = Date.parse('2026-11-28T10:00:00Z');
const SERVER_DATE_HEADER = new Date(SERVER_MS).toUTCString();
const MINUTE_MS = 60_000;

describe('serverTimeIfSkewed', () => {
  it("answers Huawei's time when our signature was made 16 minutes ahead of it", () => {
    // Act
    const serverMs = serverTimeIfSkewed(SERVER_MS + 16 * MINUTE_MS, SERVER_DATE_HEADER, undefined);

    // Assess
    expect(serverMs).toBe(SERVER_MS);
  });

  it("answers Huawei's time when our signature was made 20 minutes behind it", () => {
    // Act
    const serverMs = serverTimeIfSkewed(SERVER_MS - 20 * MINUTE_MS, SERVER_DATE_HEADER, undefined);

    // Assess
    expect(serverMs).toBe(SERVER_MS);
  });

  it('answers undefined when the clocks agree: the refusal is about the key, and asking again would not help', () => {
    // Act
    const serverMs = serverTimeIfSkewed(SERVER_MS + 2_000, SERVER_DATE_HEADER, 'Incorrect IAM authentication information: verify aksk signature fail');

    // Assess
    expect(serverMs).toBeUndefined();
  });

  it('answers undefined for a skew below the evidence threshold', () => {
    // Act
    const serverMs = serverTimeIfSkewed(SERVER_MS + SKEW_EVIDENCE_MS - 1_000, SERVER_DATE_HEADER, undefined);

    // Assess
    expect(serverMs).toBeUndefined();
  });

  it('answers undefined without a readable server time', () => {
    // Act
    const serverMs = serverTimeIfSkewed(SERVER_MS + 30 * MINUTE_MS, 'not a date', undefined);

    // Assess
    expect(serverMs).toBeUndefined();
  });

  it('prefers the "server time:" an expired-signature message gives over the Date header', () => {
    // Prepare
    const message = 'Incorrect app authentication information: signature expired, signature time:20261128T101600Z,server time:20261128T095900Z';

    // Act
    const serverMs = serverTimeIfSkewed(SERVER_MS + 16 * MINUTE_MS, null, message);

    // Assess
    expect(serverMs).toBe(Date.parse('2026-11-28T09:59:00Z'));
  });
});
