// Written by the names tool of issue 17 point 3 from its RENAMES table: the
// library's old names stay as deprecated aliases, so code written against them runs on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as trove from '../../src/index.js';
import type { ConflictCheckoutResult, CheckoutConflictResult, ConflictCheckoutOptions, CheckoutConflictOptions } from '../../src/index.js';

test('the old names of the library functions are the same functions as the new ones', () => {
  assert.equal(trove.ls, trove.listArtifacts);
  assert.equal(trove.log, trove.artifactLog);
  assert.equal(trove.gc, trove.collectGarbage);
  assert.equal(trove.fsck, trove.verifyStore);
});

test('the old names of the library types are the same types as the new ones', () => {
  // the check is the build: a value of each type is assigned to the other and back
  const checkoutConflictResult = {} as CheckoutConflictResult;
  const conflictCheckoutResult: ConflictCheckoutResult = checkoutConflictResult;
  assert.equal(((x: CheckoutConflictResult) => x)(conflictCheckoutResult), checkoutConflictResult);
  const checkoutConflictOptions = {} as CheckoutConflictOptions;
  const conflictCheckoutOptions: ConflictCheckoutOptions = checkoutConflictOptions;
  assert.equal(((x: CheckoutConflictOptions) => x)(conflictCheckoutOptions), checkoutConflictOptions);
});
