import { isMissingRegionError, queueUrlProblem, regionOfQueueUrl, regionOfStackArn } from '../../lib/cli/deployment.js';

describe('queueUrlProblem', () => {
  it.each([['https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod'], ['http://sqs.us-east-1.localhost:4566/000000000000/apig-watch']])(
    'accepts the queue URL %s',
    (url) => {
      expect(queueUrlProblem(url)).toBeNull();
    },
  );

  it.each([
    ['not-a-url', 'is not a URL'],
    ['ftp://sqs.eu-west-1.amazonaws.com/1/q', 'has the scheme ftp: (an SQS queue URL starts with https://)'],
    ['https://sqs.eu-west-1.amazonaws.com/', 'does not end in /<account id>/<queue name>'],
  ])('says why %s is not a queue URL', (url, problem) => {
    expect(queueUrlProblem(url)).toBe(problem);
  });
});

describe('regionOfQueueUrl', () => {
  it.each([
    ['https://sqs.ap-southeast-1.amazonaws.com/123456789012/q', 'ap-southeast-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q', 'cn-north-1'],
    ['https://us-gov-west-1.queue.amazonaws.com/123456789012/q', 'us-gov-west-1'],
    ['http://sqs.us-east-1.localhost:4566/000000000000/q', 'us-east-1'],
  ])('reads the region of %s', (url, region) => {
    expect(regionOfQueueUrl(url)).toBe(region);
  });

  it('knows no region for a host that names none', () => {
    expect(regionOfQueueUrl('http://127.0.0.1:4566/000000000000/q')).toBeUndefined();
  });
});

describe('regionOfStackArn', () => {
  it('reads the region of a stack ARN and none of a stack name', () => {
    expect(regionOfStackArn('arn:aws:cloudformation:ap-southeast-1:123456789012:stack/apig-watch-prod/1a2b3c')).toBe('ap-southeast-1');
    expect(regionOfStackArn('apig-watch-prod')).toBeUndefined();
  });
});

describe('isMissingRegionError', () => {
  it("recognises the SDK's missing-region error and nothing else", () => {
    expect(isMissingRegionError(new Error('Region is missing'))).toBe(true);
    expect(isMissingRegionError(new Error('QueueDoesNotExist'))).toBe(false);
  });
});
