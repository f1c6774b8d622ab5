import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, JOB_STREAM_FILTER } from '../../src/store/table.ts';

/**
 * Runs `npm run package` (esbuild + `osls package`, offline, fake credentials) and reads the
 * CloudFormation template it wrote.
 */

const root = resolve(fileURLToPath(import.meta.url), '../../..');
type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;
let templateText: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { cwd: root, stdio: 'pipe', timeout: 240_000 });
  templateText = readFileSync(join(root, '.serverless/cloudformation-template-update-stack.json'), 'utf8');
  resources = (JSON.parse(templateText) as { Resources: Record<string, Resource> }).Resources;
}, 240_000);

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

describe('serverless.yml (packaged template)', () => {
  it.each([
    { logicalId: 'WebhooksLambdaFunction', handler: 'webhooks.handler', zip: 'webhooks' },
    { logicalId: 'WorkerLambdaFunction', handler: 'worker.handler', zip: 'worker' },
    { logicalId: 'DeadLettersLambdaFunction', handler: 'dead-letters.handler', zip: 'dead-letters' },
  ])('defines $logicalId on nodejs22.x arm64 with the bundled zip', ({ logicalId, handler, zip }) => {
    const fn = resources[logicalId]?.Properties;

    expect(fn?.['Runtime']).toBe('nodejs22.x');
    expect(fn?.['Architectures']).toEqual(['arm64']);
    expect(fn?.['Handler']).toBe(handler);
    expect(fn?.['Code'].S3Key).toMatch(new RegExp(`/${zip}\\.zip$`));
    const files = unzipSync(new Uint8Array(readFileSync(join(root, `.esbuild/${zip}.zip`))));
    expect(Object.keys(files)).toEqual(expect.arrayContaining([`${zip}.mjs`, 'policies/baseline.yml', 'policies/production.yml']));
  });

  it('routes POST /webhooks on the HTTP API to the webhooks function', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties['RouteKey']);

    expect(routes).toEqual(['POST /webhooks']);
    const integration = ofType('AWS::ApiGatewayV2::Integration')[0]?.[1].Properties;
    expect(JSON.stringify(integration?.['IntegrationUri'])).toContain('WebhooksLambdaFunction');
    expect(integration?.['PayloadFormatVersion']).toBe('2.0');
  });

  it('feeds only newly stored jobs from the table stream to the worker, with bounded retries and a DLQ', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties['EventSourceArn']).includes('StreamArn'));
    const mapping = mappings[0]?.[1].Properties;

    expect(mappings).toHaveLength(1);
    expect(mapping?.['EventSourceArn']).toEqual({ 'Fn::GetAtt': ['Table', 'StreamArn'] });
    expect(JSON.stringify(mapping?.['FunctionName'])).toContain('WorkerLambdaFunction');
    expect(mapping?.['FilterCriteria'].Filters.map((filter: { Pattern: string }) => JSON.parse(filter.Pattern))).toEqual([JOB_STREAM_FILTER]);
    expect(mapping?.['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    expect(mapping?.['BisectBatchOnFunctionError']).toBe(true);
    expect(mapping?.['MaximumRetryAttempts']).toBeGreaterThanOrEqual(0);
    expect(mapping?.['MaximumRetryAttempts']).toBeLessThanOrEqual(10);
    expect(mapping?.['DestinationConfig'].OnFailure.Destination).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
    expect(resources['DeadLetterQueue']?.Type).toBe('AWS::SQS::Queue');
  });

  it('drains the dead-letter queue with the deadLetters function, one message at a time, keeping what it cannot drain', () => {
    const drains = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties['EventSourceArn']).includes('DeadLetterQueue'));
    const drain = drains[0]?.[1].Properties;
    const fn = resources['DeadLettersLambdaFunction']?.Properties;

    expect(drains).toHaveLength(1);
    expect(drain?.['EventSourceArn']).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
    expect(JSON.stringify(drain?.['FunctionName'])).toContain('DeadLettersLambdaFunction');
    expect(drain?.['BatchSize']).toBe(1);
    expect(drain?.['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    // Lambda asks an SQS source's visibility timeout to be at least the function's timeout (six times is advised).
    expect(resources['DeadLetterQueue']?.Properties['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * fn?.['Timeout']);
  });

  const topic = { 'Fn::If': ['HasAlarmTopic', [''], { Ref: 'AWS::NoValue' }] };
  it.each([
    { id: 'WebhooksErrorsAlarm', namespace: 'AWS/Lambda', metric: 'Errors', dimension: { Name: 'FunctionName', Value: { Ref: 'WebhooksLambdaFunction' } }, threshold: 0 },
    { id: 'WorkerErrorsAlarm', namespace: 'AWS/Lambda', metric: 'Errors', dimension: { Name: 'FunctionName', Value: { Ref: 'WorkerLambdaFunction' } }, threshold: 0 },
    { id: 'DeadLettersErrorsAlarm', namespace: 'AWS/Lambda', metric: 'Errors', dimension: { Name: 'FunctionName', Value: { Ref: 'DeadLettersLambdaFunction' } }, threshold: 0 },
    { id: 'DeadLetterQueueDepthAlarm', namespace: 'AWS/SQS', metric: 'ApproximateNumberOfMessagesVisible', dimension: { Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }, threshold: 0 },
    { id: 'WorkerIteratorAgeAlarm', namespace: 'AWS/Lambda', metric: 'IteratorAge', dimension: { Name: 'FunctionName', Value: { Ref: 'WorkerLambdaFunction' } }, threshold: 300_000 },
  ])('alarms on $id ($metric > $threshold) and notifies the optional SNS topic', ({ id, namespace, metric, dimension, threshold }) => {
    const alarm = resources[id]?.Properties;

    expect(resources[id]?.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm).toMatchObject({ Namespace: namespace, MetricName: metric, Dimensions: [dimension], Threshold: threshold, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    expect(alarm?.['AlarmActions']).toEqual(topic);
    expect(alarm?.['OKActions']).toEqual(topic);
  });

  it('has exactly those five alarms, and the topic is a parameter (no alarm action when it is empty)', () => {
    const template = JSON.parse(templateText) as { Conditions: Record<string, unknown> };

    expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(5);
    expect(template.Conditions['HasAlarmTopic']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('gives nothing that osls remove keeps a fixed name, so remove then deploy works; the retained table is named by CloudFormation', () => {
    const retained = Object.entries(resources).filter(([, resource]) => (resource as { DeletionPolicy?: string }).DeletionPolicy === 'Retain');

    expect(retained.map(([id]) => id)).toEqual(['Table']);
    expect(resources['Table']?.Properties['TableName']).toBeUndefined();
    expect(resources['DeadLetterQueue']?.Properties['QueueName']).toBeUndefined();
  });

  it('defines one table like table.ts, with TTL on ttl, point-in-time recovery and a NEW_IMAGE stream', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    const table = tables[0]?.[1].Properties;
    const expected = createTableInput('x');

    expect(tables).toHaveLength(1);
    expect(table?.['BillingMode']).toBe('PAY_PER_REQUEST');
    expect(table?.['KeySchema']).toEqual(expected.KeySchema);
    expect(table?.['AttributeDefinitions']).toEqual(expected.AttributeDefinitions);
    expect(table?.['TimeToLiveSpecification']).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table?.['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table?.['StreamSpecification']).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  type Statement = { Action: string | string[]; Resource: unknown[]; Condition?: Record<string, Record<string, unknown>> };
  const parameterArn = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/image-assurance/dev/${name}` });
  const TABLE = { 'Fn::GetAtt': ['Table', 'Arn'] };
  const STREAM = { 'Fn::GetAtt': ['Table', 'StreamArn'] };
  const DLQ = { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] };
  const FACTS = { 'Fn::Sub': '${FactsBucket.Arn}/facts/*' };

  function statementsOf(functionId: string): Statement[] {
    const role = resources[functionId]?.Properties['Role'] as { 'Fn::GetAtt': [string, string] };
    const policies = resources[role['Fn::GetAtt'][0]]?.Properties['Policies'] as { PolicyDocument: { Statement: Statement[] } }[];
    return policies.flatMap((policy) => policy.PolicyDocument.Statement);
  }

  it.each([
    { functionId: 'WebhooksLambdaFunction', log: 'webhooks', parameters: ['webhook-secret', 'webhook-secret-previous'], resources: [TABLE] },
    { functionId: 'WorkerLambdaFunction', log: 'worker', parameters: ['app-id', 'private-key'], resources: [TABLE, STREAM, DLQ, FACTS] },
    { functionId: 'DeadLettersLambdaFunction', log: 'deadLetters', parameters: ['app-id', 'private-key'], resources: [TABLE, DLQ] },
  ])('gives $functionId a role naming only its table items, stream, DLQ and parameters', ({ functionId, log, parameters, resources: allowedResources }) => {
    const statements = statementsOf(functionId);
    const allowed = [...allowedResources, ...parameters.map(parameterArn)].map((resource) => JSON.stringify(resource));
    const used = new Set<string>();

    for (const statement of statements) {
      const actions = ([] as string[]).concat(statement.Action);
      if (actions.every((action) => action.startsWith('logs:'))) {
        for (const resource of statement.Resource) expect(JSON.stringify(resource)).toContain(`log-group:/aws/lambda/image-assurance-dev-${log}:*`);
      } else if (actions.join() === 'kms:Decrypt') {
        expect(statement.Condition?.['StringEquals']?.['kms:ViaService']).toEqual({ 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' });
        expect(statement.Condition?.['StringLike']?.['kms:EncryptionContext:PARAMETER_ARN']).toEqual(parameters.map(parameterArn));
      } else {
        expect(actions.every((action) => /^(dynamodb|sqs|ssm|s3):/.test(action)), actions.join()).toBe(true);
        for (const resource of statement.Resource) {
          expect(allowed, actions.join()).toContain(JSON.stringify(resource));
          used.add(JSON.stringify(resource));
        }
      }
    }
    expect([...used].sort()).toEqual([...allowed].sort());
    const ssm = statements.filter((statement) => ([] as string[]).concat(statement.Action).some((action) => action.startsWith('ssm:')));
    expect(ssm.map((statement) => statement.Action)).toEqual([['ssm:GetParameters']]);
    expect(ssm[0]?.Resource).toEqual(parameters.map(parameterArn));
  });

  it('lets no statement in any role use a wildcard action', () => {
    const statements = ['WebhooksLambdaFunction', 'WorkerLambdaFunction', 'DeadLettersLambdaFunction'].flatMap(statementsOf);

    expect(statements.flatMap((statement) => ([] as string[]).concat(statement.Action)).filter((action) => action.includes('*'))).toEqual([]);
    expect(ofType('AWS::IAM::Role').map(([id]) => id).sort()).toEqual(['DeadLettersRole', 'WebhooksRole', 'WorkerRole']);
  });

  it('lets only the functions that call GitHub (worker, deadLetters) read the private key', () => {
    const readers = ofType('AWS::Lambda::Function')
      .filter(([id]) => JSON.stringify(statementsOf(id)).includes('/private-key'))
      .map(([id]) => id)
      .sort();

    expect(readers).toEqual(['DeadLettersLambdaFunction', 'WorkerLambdaFunction']);
  });

  it('carries parameter names, never secret values, in the functions environment', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const variables = fn.Properties['Environment'].Variables as Record<string, string>;

      expect(Object.keys(variables)).not.toEqual(expect.arrayContaining(['APP_ID']));
      expect(variables).not.toHaveProperty('PRIVATE_KEY');
      expect(variables).not.toHaveProperty('WEBHOOK_SECRET');
      expect(variables['WEBHOOK_SECRET_PARAMETER']).toBe('/image-assurance/dev/webhook-secret');
      expect(variables['WEBHOOK_SECRET_PREVIOUS_PARAMETER']).toBe('/image-assurance/dev/webhook-secret-previous');
      expect(variables['TABLE_NAME']).toEqual({ Ref: 'Table' });
    }
    expect(templateText).not.toMatch(/BEGIN (RSA )?PRIVATE KEY/);
  });

  it('keeps large facts in an encrypted, private bucket with no fixed name, emptied after 90 days; only the worker may read and write them', () => {
    const buckets = ofType('AWS::S3::Bucket');
    const bucket = resources['FactsBucket']?.Properties;
    const worker = resources['WorkerLambdaFunction']?.Properties;
    const statements = (role: string) =>
      (resources[role]?.Properties['Policies'] as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);

    // Besides the framework's own deployment bucket.
    expect(buckets.map(([id]) => id).sort()).toEqual(['FactsBucket', 'ServerlessDeploymentBucket']);
    expect(bucket?.['BucketName']).toBeUndefined();
    expect(bucket?.['BucketEncryption'].ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket?.['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket?.['LifecycleConfiguration'].Rules).toEqual([expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 90 })]);
    expect(JSON.stringify(resources['FactsBucketPolicy']?.Properties['PolicyDocument'])).toContain('"aws:SecureTransport":"false"');
    expect(worker?.['Environment'].Variables['FACTS_BUCKET']).toEqual({ Ref: 'FactsBucket' });
    expect(statements('WorkerRole').filter((statement) => statement.Action.some((action) => action.startsWith('s3:')))).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [FACTS] },
    ]);
    expect(JSON.stringify(statements('WebhooksRole'))).not.toContain('s3:');
  });
});
