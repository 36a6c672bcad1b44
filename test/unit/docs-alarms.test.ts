import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The docs tell the truth about the alarms `serverless.yml` creates: each one is listed, and the cost counts them all. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The alarm names of the template, as the docs write them (`apig-watch-<stage>-dead-letters`). */
function templateAlarmNames(): string[] {
  return [...read('serverless.yml').matchAll(/AlarmName: \$\{self:service\}-\$\{sls:stage\}-([a-z0-9-]+)/g)].map((match) => `apig-watch-<stage>-${match[1]}`);
}

describe('docs on alarms', () => {
  it('finds the alarms of the template', () => {
    expect(templateAlarmNames().length).toBeGreaterThanOrEqual(6);
  });

  it('lists every alarm of the template in docs/operating.md', () => {
    const operating = read('docs/operating.md');

    expect(templateAlarmNames().filter((name) => !operating.includes(`\`${name}\``))).toEqual([]);
  });

  it('counts every alarm of the template in the cost of docs/deploy.md', () => {
    const count = templateAlarmNames().length;
    const stated = /\*\*(\w+) CloudWatch alarms\*\*/.exec(read('docs/deploy.md'))?.[1]?.toLowerCase();

    expect(stated).toBe(NUMBER_WORDS[count] ?? String(count));
  });
});
