import { DETAIL_UNREAD_HINT, decidePoll, NOT_STARTED_GRACE_SECONDS, observe, type Observation } from '../../lib/watch/decide-poll.js';
import type { Operation } from '../../lib/watch/request.js';
import type { InstanceDetail, InstanceDetailSource, ProgressSource } from '../../lib/watch/ports/progress-source.js';
import { ApigTerminalError } from '../../lib/watch/ports/progress-source.js';
import type { WatchState } from '../../lib/watch/state.js';
import { progressReport, T0, watchRequest, watchState } from '../support/factories.js';

const detail = (status: string): InstanceDetail => ({
  status,
  instanceStatus: null,
  name: 'orders-gw-prod',
  spec: 'PROFESSIONAL',
  publicIngressAddress: '203.0.113.7',
  privateIngressAddress: '192.168.0.12',
  enterpriseProjectId: '0',
});
const instance = (status: string): Observation => ({ kind: 'instance', answer: { kind: 'detail', detail: detail(status) } });
const GONE: Observation = { kind: 'instance', answer: { kind: 'gone' } };
const succeededProgress = (then: Observation): Observation => ({
  kind: 'progress',
  report: progressReport({ status: 'success', progress: 100 }),
  detail: then as Extract<Observation, { kind: 'instance' | 'instance_unreadable' }>,
});

/** A watch of `operation`, as its first state is made (creation asks the progress API, the others the detail). */
function watchOf(operation: Operation, overrides: Partial<WatchState> = {}): WatchState {
  return watchState({ request: watchRequest({ operation }), phase: operation === 'creation' ? 'progress' : 'detail', ...overrides });
}

/** Plays observations one after another, `stepMs` apart; returns every decision. */
function play(state: WatchState, observations: Observation[], stepMs = 20_000) {
  const decisions = [];
  let current = state;
  for (const [index, observation] of observations.entries()) {
    const decision = decidePoll(current, observation, T0 + (index + 1) * stepMs);
    decisions.push(decision);
    if (decision.action !== 'poll_again') break;
    current = decision.next;
  }
  return decisions;
}

function outcomeOf(decisions: ReturnType<typeof play>) {
  const last = decisions.at(-1);
  if (last?.action !== 'notify') throw new Error(`the watch did not end: ${JSON.stringify(last)}`);
  return last.event;
}

describe('creation means Running', () => {
  it('announces succeeded when the detail after the progress success says Running, with what the reader needs next', () => {
    const event = outcomeOf(play(watchOf('creation'), [succeededProgress(instance('Running'))]));
    expect(event.type).toBe('apig.gateway.creation.succeeded');
    expect(event.data).toMatchObject({ outcome: 'succeeded', operation: 'creation', instance_status: 'Running' });
    expect(event.data.gateway).toEqual({
      spec: 'PROFESSIONAL',
      public_ingress_address: '203.0.113.7',
      private_ingress_address: '192.168.0.12',
      enterprise_project_id: '0',
    });
  });

  it('keeps watching through CreateSuccess, Initing and Installing, then succeeds at Running', () => {
    const decisions = play(watchOf('creation'), [
      succeededProgress(instance('CreateSuccess')),
      instance('Initing'),
      instance('Installing'),
      instance('Running'),
    ]);
    expect(decisions.map((decision) => decision.action)).toEqual(['poll_again', 'poll_again', 'poll_again', 'notify']);
    expect(outcomeOf(decisions).data.outcome).toBe('succeeded');
  });

  it.each(['InstallFailed', 'CreateFail', 'RegisterFailed', 'InstallTimeout'])(
    'fails a creation whose status turns %s after a successful progress, naming it',
    (status) => {
      const event = outcomeOf(play(watchOf('creation'), [succeededProgress(instance('Initing')), instance(status)]));
      expect(event.data).toMatchObject({ outcome: 'failed', instance_status: status, error_msg: `instance status ${status}`, gateway: null });
    },
  );

  it('never turns a success into an error when the detail may not be read: succeeded, saying so', () => {
    const event = outcomeOf(play(watchOf('creation'), [succeededProgress({ kind: 'instance_unreadable', message: 'HTTP 403 APIG.1005' })]));
    expect(event.data).toMatchObject({ outcome: 'succeeded', gateway: null, hint: DETAIL_UNREAD_HINT });
  });

  it('reads the detail once per creation, not once per poll: only when the progress says success', async () => {
    const answers = [progressReport({ progress: 30 }), progressReport({ progress: 80 }), progressReport({ status: 'success', progress: 100 })];
    const progressSource: ProgressSource = { fetchProgress: async () => answers.shift() ?? progressReport() };
    let detailReads = 0;
    const instanceDetails: InstanceDetailSource = {
      fetchInstanceDetail: async () => {
        detailReads += 1;
        return { kind: 'detail', detail: detail('Running') };
      },
    };
    let state = watchOf('creation');
    for (let poll = 1; ; poll += 1) {
      const decision = decidePoll(state, await observe(state, { progressSource, instanceDetails }), T0 + poll * 30_000);
      if (decision.action !== 'poll_again') {
        expect(decision.action === 'notify' && decision.event.data.outcome).toBe('succeeded');
        break;
      }
      state = decision.next;
    }
    expect(detailReads).toBe(1);
  });

  it('falls back to the progress API alone when a credential cannot read the detail (403 on the detail)', async () => {
    const progressSource: ProgressSource = { fetchProgress: async () => progressReport({ status: 'success', progress: 100 }) };
    const instanceDetails: InstanceDetailSource = {
      fetchInstanceDetail: async () => {
        throw new ApigTerminalError('forbidden', 'APIG instance detail answered HTTP 403', { code: 'APIG.1005' });
      },
    };
    const state = watchOf('creation');
    const decision = decidePoll(state, await observe(state, { progressSource, instanceDetails }), T0 + 1000);
    expect(decision.action === 'notify' && decision.event.data).toMatchObject({ outcome: 'succeeded', hint: DETAIL_UNREAD_HINT });
  });
});

describe('every long operation, watched to its end', () => {
  it.each([
    ['resize', 'Resizing', 'Running'],
    ['update', 'Rollbacking', 'Running'],
    ['restart', 'Starting', 'Running'],
  ] as const)('%s: %s then %s is succeeded, with its own event type', (operation, pending, done) => {
    const decisions = play(watchOf(operation), [instance(pending), instance(pending), instance(done)]);
    expect(decisions.map((decision) => decision.action)).toEqual(['poll_again', 'poll_again', 'notify']);
    expect(outcomeOf(decisions).type).toBe(`apig.gateway.${operation}.succeeded`);
  });

  it('deletion: Deleting then gone (Huawei no longer knows the instance) is succeeded', () => {
    const event = outcomeOf(play(watchOf('deletion'), [instance('Deleting'), instance('Unregistering'), GONE]));
    expect(event).toMatchObject({ type: 'apig.gateway.deletion.succeeded', data: { outcome: 'succeeded', instance_status: 'Unregistering' } });
  });

  it.each([
    ['resize', 'ResizeFailed'],
    ['resize', 'ResizeTimeout'],
    ['update', 'UpdateFailed'],
    ['update', 'RollbackTimeout'],
    ['deletion', 'DeleteFailed'],
    ['deletion', 'UnregisterTimeout'],
    ['restart', 'RestartFail'],
    ['restart', 'RestartTimeout'],
  ] as const)('%s: %s ends the watch as failed at once (Huawei timeouts are not waited on)', (operation, status) => {
    const decisions = play(watchOf(operation), [instance(status)]);
    expect(outcomeOf(decisions).data).toMatchObject({ outcome: 'failed', instance_status: status });
  });

  it('update: RollbackSuccess is failed, with a hint that it was rolled back', () => {
    const event = outcomeOf(play(watchOf('update'), [instance('Updating'), instance('RollbackSuccess')]));
    expect(event.data.outcome).toBe('failed');
    expect(event.data.hint).toMatch(/rolled the update back/);
  });

  it('waits for an operation Huawei does not show yet (still Running), within the grace, then says not_started', () => {
    const early = play(watchOf('resize'), [instance('Running'), instance('Running'), instance('Resizing'), instance('Running')]);
    expect(outcomeOf(early).data.outcome).toBe('succeeded');
    const never = play(
      watchOf('resize'),
      Array.from({ length: 40 }, () => instance('Running')),
    );
    const event = outcomeOf(never);
    expect(event).toMatchObject({ type: 'apig.gateway.resize.not_started', data: { outcome: 'not_started', instance_status: 'Running' } });
    expect(never.length * 20_000).toBeGreaterThanOrEqual(NOT_STARTED_GRACE_SECONDS * 1000);
  });

  it('ends a resize still Resizing at the deadline as timed_out (Huawei never said ResizeTimeout), naming the status', () => {
    const event = outcomeOf(
      play(watchOf('resize', { deadline_at: T0 + 90_000 }), [
        instance('Resizing'),
        instance('Resizing'),
        instance('Resizing'),
        instance('Resizing'),
        instance('Resizing'),
      ]),
    );
    expect(event).toMatchObject({ type: 'apig.gateway.resize.timed_out', data: { instance_status: 'Resizing' } });
  });

  it('a resize of a gateway Huawei no longer knows is not_found', () => {
    expect(outcomeOf(play(watchOf('resize'), [GONE])).data.outcome).toBe('not_found');
  });
});

describe('a nomination is told only when it is true', () => {
  const discovered = (operation: Operation) => watchOf(operation, { request: watchRequest({ operation, origin: 'discovery' }) });

  it.each([
    ['resize', 'Running'],
    ['deletion', 'ResizeFailed'],
    ['restart', 'Running'],
  ] as const)('a sweep that lists a %s the gateway is no longer in (it is %s) ends the watch quietly', (operation, status) => {
    const decisions = play(discovered(operation), [instance(status)]);
    expect(decisions).toEqual([{ action: 'end_quietly', reason: expect.stringContaining(status) }]);
  });

  it('a deletion found by the sweep and already gone ends quietly (no false success)', () => {
    expect(play(discovered('deletion'), [GONE])).toEqual([{ action: 'end_quietly', reason: expect.stringContaining('gone') }]);
  });

  it('a resize found by the sweep while Resizing is watched to its end like a requested one', () => {
    expect(outcomeOf(play(discovered('resize'), [instance('Resizing'), instance('Running')])).type).toBe('apig.gateway.resize.succeeded');
  });
});

describe('health, once per transition', () => {
  it('tells unhealthy once however many looks, frozen once when it freezes, recovered once Running again', () => {
    const decisions = play(
      watchOf('health'),
      [instance('Unhealthy'), instance('Unhealthy'), instance('Unhealthy'), instance('Frozen'), instance('Frozen'), instance('Running')],
      60_000,
    );
    const notices = decisions.flatMap((decision) => (decision.action === 'poll_again' && decision.notice ? [decision.notice.type] : []));
    expect(notices).toEqual(['apig.gateway.health.unhealthy', 'apig.gateway.health.frozen']);
    expect(outcomeOf(decisions)).toMatchObject({ type: 'apig.gateway.health.recovered', data: { outcome: 'recovered', operation: 'health' } });
  });

  it('a health nomination of a gateway that is Running (a stale list) tells nothing', () => {
    expect(play(watchOf('health'), [instance('Running')])).toEqual([{ action: 'end_quietly', reason: expect.stringContaining('Running') }]);
  });

  it('a gateway still unhealthy at the deadline of its health watch ends it quietly, not as timed out', () => {
    const decisions = play(watchOf('health', { deadline_at: T0 + 150_000 }), [instance('Unhealthy'), instance('Unhealthy'), instance('Unhealthy')], 60_000);
    expect(decisions.at(-1)).toEqual({ action: 'end_quietly', reason: expect.stringContaining('deadline') });
  });
});
