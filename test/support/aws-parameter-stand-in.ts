import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for SSM Parameter Store's `GetParameter` and Secrets Manager's
 * `GetSecretValue` (the AWS JSON 1.1 protocol the SDK speaks), so secret references are
 * resolved through the real SDK clients and Powertools Parameters.
 */
export async function startParameterStandIn(values: { parameters?: Record<string, string>; secrets?: Record<string, string> }) {
  const calls: { target: string; name: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as { Name?: string; SecretId?: string };
      const name = input.Name ?? input.SecretId ?? '';
      calls.push({ target, name });
      const answer = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (target === 'AmazonSSM.GetParameter' && values.parameters?.[name] !== undefined) {
        return answer(200, { Parameter: { Name: name, Type: 'SecureString', Value: values.parameters[name], Version: 1 } });
      }
      if (target === 'secretsmanager.GetSecretValue' && values.secrets?.[name] !== undefined) {
        return answer(200, { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`, Name: name, SecretString: values.secrets[name] });
      }
      const type = target.startsWith('AmazonSSM') ? 'ParameterNotFound' : 'ResourceNotFoundException';
      answer(400, { __type: type, message: `${name} not found` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
