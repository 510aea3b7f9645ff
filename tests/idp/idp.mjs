// A real OpenID provider (npm oidc-provider) for Fumidai's tests, on 127.0.0.1 over HTTPS.
// Usage: node idp.mjs CONFIG.json. The configuration names the port, the PEM certificate and key, the clients and the users;
// users are read from the file on every look-up, so a test can remove a user or change her groups while the provider runs.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import Provider from 'oidc-provider';

const configPath = process.argv[2];
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const issuer = `https://127.0.0.1:${config.port}`;
const users = () => JSON.parse(readFileSync(configPath, 'utf8')).users ?? {};

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [{ ...signingKey, kid: 'test', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'], groups: ['groups'] },
  // The id_token carries the profile and groups as many IdPs do (Entra ID, Keycloak with a mapper); userinfo has them too.
  conformIdTokenClaims: false,
  // Like Keycloak and others, a refresh token for every client allowed the grant, with or without offline_access (which
  // oidc-provider would otherwise grant only with prompt=consent): the bastion asks about absent users with it.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  features: { devInteractions: { enabled: false }, userinfo: { enabled: true }, introspection: { enabled: true } },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 300, IdToken: 300, RefreshToken: 3600 },
  async findAccount(ctx, id) {
    const user = users()[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, email: `${id}@example.test`, groups: user.groups ?? [] };
      },
    };
  },
  // A first-party client: the user is not asked to consent; every scope asked for is granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email groups offline_access');
    grant.addOIDCClaims(['sub', 'preferred_username', 'name', 'email', 'groups']);
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><title>IdP error</title><p id="idp-error">${escape(out.error)}: ${escape(out.error_description ?? '')}</p>`;
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(uid, message) {
  return `<!DOCTYPE html><title>Test IdP sign-in</title><h1>Test IdP</h1>${message ? `<p id="idp-message">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>User <input id="idp-user" name="login" autocomplete="off"></label>
<label>Password <input id="idp-password" name="password" type="password"></label>
<button id="idp-submit" type="submit">Sign in</button></form>`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 8192) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function samePassword(given, expected) {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected ?? '');
  return a.length === b.length && b.length > 0 && timingSafeEqual(a, b);
}

const callback = provider.callback();
const server = createServer({ key: readFileSync(config.key), cert: readFileSync(config.cert) }, async (req, res) => {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid));
    }
    const form = await readBody(req);
    const user = users()[form.get('login')];
    if (!user || !samePassword(form.get('password'), user.password)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid, 'Wrong user or password.'));
    }
    await provider.interactionFinished(req, res, { login: { accountId: form.get('login') } }, { mergeWithLastSubmission: false });
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${err.message}`);
  }
});
server.listen(config.port, '127.0.0.1', () => console.log(`idp listening on ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
