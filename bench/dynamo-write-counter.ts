import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** DynamoDB operations that write items. */
const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

/** A loopback proxy in front of DynamoDB (dynalite) that counts the items written, by key prefix. */
export interface DynamoWriteCounter {
  /** Point the clients here. */
  url: string;
  /** Items written per `pk` prefix (the text before its first `#`, e.g. `step`, `delivery`), and `calls` per operation. */
  counts(): { itemsByPrefix: Record<string, number>; calls: Record<string, number> };
  reset(): void;
  close(): Promise<void>;
}

type Attribute = { S?: string };
type Keyed = { Key?: Record<string, Attribute>; Item?: Record<string, Attribute> };

/**
 * Starts a proxy that forwards every request to `dynamoUrl` unchanged and, for each write, reads
 * the keys it writes: the count is the database's side of the story, true whatever the store's
 * code believes it does. Every item of a batch or transaction counts.
 *
 * @example
 * const counter = await startDynamoWriteCounter(aws.env.AWS_ENDPOINT_URL_DYNAMODB);
 * counter.counts() // { itemsByPrefix: { gateway: 600, 'gateway-end': 300, step: 1016, delivery: 600 }, calls: { UpdateItem: 2216, GetItem: 300 } }
 */
export async function startDynamoWriteCounter(dynamoUrl: string): Promise<DynamoWriteCounter> {
  const upstream = new URL(dynamoUrl);
  const agent = new http.Agent({ keepAlive: true });
  let itemsByPrefix: Record<string, number> = {};
  let calls: Record<string, number> = {};
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = request.headers['x-amz-target'];
      const operation = typeof target === 'string' ? (target.split('.').at(-1) ?? target) : 'unknown';
      calls[operation] = (calls[operation] ?? 0) + 1;
      if ((WRITE_OPERATIONS as readonly string[]).includes(operation)) {
        for (const key of writtenKeys(operation, body)) {
          const prefix = key.split('#')[0] ?? key;
          itemsByPrefix[prefix] = (itemsByPrefix[prefix] ?? 0) + 1;
        }
        // A gateway record is written twice per watch: its start (step 0's decision) and its end.
        if (operation === 'UpdateItem' && /^SET ended_at = /.test(updateExpressionOf(body))) {
          itemsByPrefix['gateway-end'] = (itemsByPrefix['gateway-end'] ?? 0) + 1;
        }
      }
      const forwarded = http.request(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers, agent },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ itemsByPrefix: { ...itemsByPrefix }, calls: { ...calls } }),
    reset() {
      itemsByPrefix = {};
      calls = {};
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function updateExpressionOf(body: Buffer): string {
  return (JSON.parse(body.toString('utf8') || '{}') as { UpdateExpression?: string }).UpdateExpression ?? '';
}

/** The `pk` of every item a write request writes. */
function writtenKeys(operation: string, body: Buffer): string[] {
  const request = JSON.parse(body.toString('utf8') || '{}') as Keyed & {
    RequestItems?: Record<string, { PutRequest?: Keyed; DeleteRequest?: Keyed }[]>;
    TransactItems?: { Put?: Keyed; Update?: Keyed; Delete?: Keyed }[];
  };
  const pkOf = (keyed: Keyed | undefined) => (keyed?.Key ?? keyed?.Item)?.pk?.S ?? 'unkeyed';
  if (operation === 'BatchWriteItem')
    return Object.values(request.RequestItems ?? {})
      .flat()
      .map((entry) => pkOf(entry.PutRequest ?? entry.DeleteRequest));
  if (operation === 'TransactWriteItems')
    return (request.TransactItems ?? []).flatMap((item) => ((item.Put ?? item.Update ?? item.Delete) ? [pkOf(item.Put ?? item.Update ?? item.Delete)] : []));
  return [pkOf(request)];
}
