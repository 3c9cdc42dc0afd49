// A certified OpenID Provider nobody here wrote (the npm package `oidc-provider`), run by
// tests/browser/test_oidc_provider_signin.py in place of the platform's own development provider.
//
//   node tests/identity/oidc_provider.mjs CONFIG.json
//
// CONFIG.json: {"client_id", "client_secret", "redirect_uri", "accounts": [{"login", "password", "acr", "claims"}]}.
// It listens on a free loopback port and prints one line, {"issuer": "http://127.0.0.1:PORT"}, once it accepts
// connections. The provider is configured as a province's platform might be, not as the relying party would like:
// the ID token is signed ES256 and carries only sub, acr, auth_time, nonce and at_hash (conformIdTokenClaims: the name
// and the ID number come from userinfo alone), the ID number is released under a scope of its own (`idcard`), and
// the authorization response carries `iss` (RFC 9207). The host's part is the interaction: oidc-provider's
// devInteractions never set `acr`, so a minimal login page here checks the password and reports the account's
// real-name level as the authentication's `acr`; consent is given at once (the platform is a first-party client).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map(config.accounts.map((account) => [account.login, account]));

function signingKey(type, options, alg) {
  const jwk = generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' });
  return { ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}` };
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>oidc-provider</title></head>
<body style="font-family: sans-serif; margin: 2em">${body}</body></html>`);
}

function loginForm(res, uid, error = '') {
  page(res, 200, `<h1>统一身份认证（oidc-provider 测试替身）</h1>${error ? `<p id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>账号 <input id="login" name="login" autocomplete="off"></label><br>
<label>密码 <input id="password" name="password" type="password"></label><br>
<button id="submit" type="submit">登录</button></form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(provider, req, res, { prompt, params, session, grantId }) {
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true });
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'interaction mismatch');
  if (details.prompt.name === 'consent') return grantConsent(provider, req, res, details);
  if (req.method === 'GET' && !action) return loginForm(res, uid);
  if (req.method !== 'POST' || action !== 'login') return page(res, 405, 'method not allowed');
  const form = await readForm(req);
  const account = accounts.get(form.get('login'));
  if (!account || account.password !== form.get('password')) return loginForm(res, uid, '账号或密码错误');
  return provider.interactionFinished(req, res, {
    login: { accountId: account.login, acr: account.acr, amr: ['pwd'] },
  }, { mergeWithLastSubmission: false });
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: [config.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    }],
    jwks: { keys: [signingKey('ec', { namedCurve: 'P-256' }, 'ES256'), signingKey('rsa', { modulusLength: 2048 }, 'RS256')] },
    acrValues: ['L1', 'L2', 'L3', 'L4'],
    scopes: ['openid', 'profile', 'idcard', 'phone'],
    claims: { openid: ['sub'], profile: ['name'], idcard: ['id_number'], phone: ['phone_number'] },
    conformIdTokenClaims: true,
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, async claims() { return { sub, ...account.claims }; } };
    },
    interactions: { url: (ctx, found) => `/interaction/${found.uid}` },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('hex')] },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(new URL(req.url, issuer).pathname);
    if (!match) return callback(req, res);
    return interaction(provider, req, res, match[1], match[2]).catch((error) => {
      console.error(error);
      if (!res.headersSent) page(res, 500, escape(error.message));
    });
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
