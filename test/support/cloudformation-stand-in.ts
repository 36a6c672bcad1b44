import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for CloudFormation's `DescribeStacks` (the AWS Query protocol, XML answers),
 * so `apig-watch start --stack` reads stack outputs through the real SDK client.
 */
export async function startCloudFormationStandIn(stacks: Record<string, Record<string, string>>) {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const name = form.get('StackName') ?? '';
      const outputs = stacks[name];
      response.writeHead(outputs ? 200 : 400, { 'content-type': 'text/xml' });
      response.end(
        outputs
          ? `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
              `<StackName>${name}</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-11-28T10:00:00Z</CreationTime><Outputs>` +
              Object.entries(outputs)
                .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`)
                .join('') +
              `</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStacksResponse>`
          : `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
              `<Message>Stack with id ${name} does not exist</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
