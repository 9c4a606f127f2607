import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { HttpError } from '../src/http/errors.js';
import { parseJsonBody } from '../src/http/json-body.js';

const Body = z.object({ password: z.string().max(4), nested: z.object({ n: z.number() }).optional() }).strict();

function refusal(raw: string): HttpError {
  try {
    parseJsonBody(Body, raw);
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err;
  }
  assert.fail(`${raw} was accepted`);
}

describe('JSON body parser', () => {
  it('returns the checked value', () => {
    assert.deepEqual(parseJsonBody(Body, '{"password":"ab","nested":{"n":1}}'), { password: 'ab', nested: { n: 1 } });
  });

  it('a body that is not JSON is a 400 saying so', () => {
    for (const raw of ['', '{', 'password=x']) {
      const err = refusal(raw);
      assert.equal(err.status, 400);
      assert.equal(err.message, 'body must be JSON');
    }
  });

  it('a body of the wrong shape is a 400 naming each offending field', () => {
    const wrongType = refusal('{"password":7}');
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.message, /^password: /);
    assert.match(refusal('{"password":"toolong"}').message, /^password: .*4/);
    assert.match(refusal('{"password":"a","nested":{"n":"x"}}').message, /^nested\.n: /);
    assert.match(refusal('{"password":"a","extra":1}').message, /^body: .*extra/, 'unknown keys are named');
    assert.match(refusal('[]').message, /^body: /, 'a problem with the whole body says "body"');
    const two = refusal('{"password":7,"nested":{"n":"x"}}').message;
    assert.match(two, /password: .*; nested\.n: /, 'every problem, joined with "; "');
  });
});
