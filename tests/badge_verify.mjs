// Verifies Open Badges 3.0 credentials with Digital Bazaar's verifier (@digitalbazaar/vc and the
// eddsa-rdfc-2022 cryptosuite): an implementation independent of the Python signer's.
//
//   node tests/badge_verify.mjs OB_CONTEXT_DIR BADGE.json...
//
// Offline: every JSON-LD context comes from a static loader (credentials v2, data integrity v2 and
// multikey from Digital Bazaar's npm packages; the two Open Badges 3.0 contexts, published by
// 1EdTech and on no npm package, from the files in OB_CONTEXT_DIR), and a did:key is resolved
// from the key it encodes. Any other URL is refused. Prints one JSON line per file,
// {"file", "verified", "error"}, and exits 0 when every file verified, 1 otherwise.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';

const [contextDir, ...files] = process.argv.slice(2);
if (!contextDir || files.length === 0) {
  console.error('usage: node tests/badge_verify.mjs OB_CONTEXT_DIR BADGE.json...');
  process.exit(2);
}

const readJson = path => JSON.parse(readFileSync(path, 'utf8'));
const contexts = new Map([
  ...credentialsContexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', readJson(join(contextDir, 'ob-v3p0-context-3.0.3.json'))],
  ['https://purl.imsglobal.org/spec/ob/v3p0/extensions.json', readJson(join(contextDir, 'ob-v3p0-extensions.json'))],
]);

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

async function documentLoader(url) {
  if (contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if (url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKey.get({url})};
  }
  throw new Error(`refused to load ${url}: not in the static document loader (no network)`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
let allVerified = true;
for (const file of files) {
  let line;
  try {
    const result = await vc.verifyCredential({credential: readJson(file), suite, documentLoader});
    const errors = [result.error, ...(result.results || []).map(r => r.error)].filter(Boolean);
    line = {file, verified: result.verified === true, error: result.verified ? null : errors.map(e => e.message || String(e)).join('; ')};
  } catch (error) {
    line = {file, verified: false, error: error.message || String(error)};
  }
  allVerified &&= line.verified;
  console.log(JSON.stringify(line));
}
process.exit(allVerified ? 0 : 1);
