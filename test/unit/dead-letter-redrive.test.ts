import { ListMessageMoveTasksCommand, type SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { moveBack, type MoveProgress, type RedriveQueues } from '../../lib/queue/dead-letter-redrive.js';

const QUEUES: RedriveQueues = {
  watchQueueUrl: 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod',
  watchQueueArn: 'arn:aws:sqs:ap-southeast-1:123456789012:apig-watch-prod',
  deadLetterQueueUrl: 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod-dlq',
  deadLetterQueueArn: 'arn:aws:sqs:ap-southeast-1:123456789012:apig-watch-prod-dlq',
};

/** An SQS client that knows only the move-task calls, answering ListMessageMoveTasks from `tasks` in turn. */
function moveTaskSqs(tasks: Array<{ Status: string; ApproximateNumberOfMessagesMoved: number; FailureReason?: string }>) {
  const started: unknown[] = [];
  let listed = 0;
  const client = {
    async send(command: unknown) {
      if (command instanceof StartMessageMoveTaskCommand) {
        started.push(command.input);
        return { TaskHandle: 'task-1' };
      }
      if (command instanceof ListMessageMoveTasksCommand) {
        const task = tasks[Math.min(listed++, tasks.length - 1)];
        return { Results: [{ TaskHandle: 'task-1', ApproximateNumberOfMessagesToMove: 3, ...task }] };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  } as unknown as SQSClient;
  return { client, started };
}

const noWait = async () => {};

describe('moveBack with a message-move task', () => {
  it('moves the dead-letter queue into the watch queue and reports progress until the task completes', async () => {
    // Prepare
    const { client, started } = moveTaskSqs([
      { Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 0 },
      { Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 2 },
      { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3 },
    ]);
    const seen: MoveProgress[] = [];

    // Act
    const result = await moveBack(client, QUEUES, ['a', 'b', 'c'], (progress) => seen.push(progress), noWait);

    // Assess
    expect(started).toEqual([{ SourceArn: QUEUES.deadLetterQueueArn, DestinationArn: QUEUES.watchQueueArn }]);
    expect(seen.map((progress) => [progress.status, progress.moved, progress.toMove])).toEqual([
      ['RUNNING', 0, 3],
      ['RUNNING', 2, 3],
      ['COMPLETED', 3, 3],
    ]);
    expect(result).toEqual({ method: 'move-task', progress: { status: 'COMPLETED', moved: 3, toMove: 3, failureReason: null } });
  });

  it("ends with the task's failure and its reason", async () => {
    const { client } = moveTaskSqs([{ Status: 'FAILED', ApproximateNumberOfMessagesMoved: 1, FailureReason: 'AccessDenied' }]);

    const result = await moveBack(client, QUEUES, ['a'], () => {}, noWait);

    expect(result.progress).toEqual({ status: 'FAILED', moved: 1, toMove: 3, failureReason: 'AccessDenied' });
  });
});
