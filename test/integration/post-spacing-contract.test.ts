import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { createPostSpacing, type PostSpacing } from '../../lib/notify/spacing.js';
import { createDynamoPostSpacing } from '../../lib/store/post-spacing.js';

/**
 * One pace contract, two keepers: the one kept in a process, and the one every container shares
 * through the watch table (dynalite). Each test runs on fresh target ids.
 */

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

let sequence = 0;
const freshTarget = () => {
  sequence += 1;
  return `t${sequence.toString(16).padStart(11, '0')}`;
};

describe.each([
  ['kept in one process', () => createPostSpacing()],
  ['shared through the watch table (dynalite)', () => createDynamoPostSpacing(aws.dynamo, aws.tableName)],
])('the post spacing %s', (_, makeSpacing: () => PostSpacing) => {
  it("gives each delivery to one target a slot its channel's spacing after the previous one", async () => {
    // Prepare
    const spacing = makeSpacing();
    const target = freshTarget();

    // Act
    const waits = [await spacing.take(target, 'slack', 'e1', 0), await spacing.take(target, 'slack', 'e2', 0), await spacing.take(target, 'slack', 'e3', 500)];

    // Assess
    expect(waits).toEqual([0, 1000, 1500]);
  });

  it('keeps a held slot for its owner: coming back at its time, it posts', async () => {
    // Prepare
    const spacing = makeSpacing();
    const target = freshTarget();
    for (const owner of ['e1', 'e2', 'e3']) await spacing.take(target, 'dingtalk', owner, 0);

    // Act
    const early = await spacing.take(target, 'dingtalk', 'e2', 2000);
    const onTime = [await spacing.take(target, 'dingtalk', 'e2', 3000), await spacing.take(target, 'dingtalk', 'e3', 6000)];

    // Assess
    expect(early).toBe(1000);
    expect(onTime).toEqual([0, 0]);
  });

  it('never counts two posts closer than the spacing, even when owners come back late and together', async () => {
    // Prepare: e2 holds 1000 and e3 2000; e2 comes back at 1900, e3 at 2100.
    const spacing = makeSpacing();
    const target = freshTarget();
    for (const owner of ['e1', 'e2', 'e3']) await spacing.take(target, 'slack', owner, 0);

    // Act
    const e2 = await spacing.take(target, 'slack', 'e2', 1900);
    const e3 = await spacing.take(target, 'slack', 'e3', 2100);
    const e3Again = await spacing.take(target, 'slack', 'e3', 2100 + e3);

    // Assess
    expect(e2).toBe(0);
    expect(e3).toBe(800);
    expect(e3Again).toBe(0);
  });

  it('forgets a slot held half an hour past its time: its owner asking again queues anew', async () => {
    // Prepare: e2 holds 1000 and never comes back; e3 posts much later.
    const spacing = makeSpacing();
    const target = freshTarget();
    await spacing.take(target, 'slack', 'e1', 0);
    await spacing.take(target, 'slack', 'e2', 0);

    // Act
    const late = 40 * 60_000;
    const waits = [await spacing.take(target, 'slack', 'e3', late), await spacing.take(target, 'slack', 'e2', late)];

    // Assess
    expect(waits).toEqual([0, 1000]);
  });

  it('lets different targets and unlimited channels post at once', async () => {
    // Prepare
    const spacing = makeSpacing();
    const [a, b, c] = [freshTarget(), freshTarget(), freshTarget()];

    // Act
    const waits = [
      await spacing.take(a, 'dingtalk', 'e', 0),
      await spacing.take(b, 'dingtalk', 'e', 0),
      await spacing.take(c, 'webhook', 'e1', 0),
      await spacing.take(c, 'webhook', 'e2', 0),
    ];

    // Assess
    expect(waits).toEqual([0, 0, 0, 0]);
  });
});

describe('the post spacing shared through the watch table', () => {
  it('paces one target across containers: a second container gets the next slot, not its own first', async () => {
    // Prepare: two containers, each its own keeper over the same table.
    const [first, second] = [createDynamoPostSpacing(aws.dynamo, aws.tableName), createDynamoPostSpacing(aws.dynamo, aws.tableName)];
    const target = freshTarget();

    // Act
    const waits = [await first.take(target, 'slack', 'e1', 0), await second.take(target, 'slack', 'e2', 0), await second.take(target, 'slack', 'e3', 0)];

    // Assess
    expect(waits).toEqual([0, 1000, 2000]);
  });

  it('keeps the slot a delivery holds when it comes back in another container', async () => {
    // Prepare
    const [first, second] = [createDynamoPostSpacing(aws.dynamo, aws.tableName), createDynamoPostSpacing(aws.dynamo, aws.tableName)];
    const target = freshTarget();
    await first.take(target, 'slack', 'e1', 0);
    await first.take(target, 'slack', 'e2', 0);
    await first.take(target, 'slack', 'e3', 0);

    // Act: e3 comes back at its slot in the second container, e2 late in the first.
    const e3 = await second.take(target, 'slack', 'e3', 2000);
    const e2 = await first.take(target, 'slack', 'e2', 2100);

    // Assess: e3 posts; e2 is given a slot a spacing after that post.
    expect(e3).toBe(0);
    expect(e2).toBe(900);
  });

  it('hands five containers taking at once five distinct slots', async () => {
    // Prepare
    const containers = Array.from({ length: 5 }, () => createDynamoPostSpacing(aws.dynamo, aws.tableName));
    const target = freshTarget();

    // Act
    const waits = await Promise.all(containers.map((spacing, index) => spacing.take(target, 'slack', `e${index}`, 0)));

    // Assess
    expect([...waits].sort((x, y) => x - y)).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it("hands a container's ten deliveries taking at once ten distinct slots", async () => {
    // Prepare
    const spacing = createDynamoPostSpacing(aws.dynamo, aws.tableName);
    const target = freshTarget();

    // Act
    const waits = await Promise.all(Array.from({ length: 10 }, (_, index) => spacing.take(target, 'slack', `e${index}`, 0)));

    // Assess
    expect([...waits].sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, index) => index * 1000));
  });
});
