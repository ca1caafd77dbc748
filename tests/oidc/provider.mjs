// A certified OpenID provider (panva/oidc-provider) for the tests of sign-in with OpenID Connect.
//
//   node provider.mjs PORT CONFIG.json
//
// CONFIG.json: {"client": {"client_id", "client_secret", "redirect_uris"}, "accounts": {login:
// {"password", "claims": {...}}}}. The provider's own login page is replaced by a plain form
// (POST /interaction/<uid> with login and password) that checks the password; consent is given
// at once. It prints "ready" once it listens.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, "utf8"));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{ ...config.client, grant_types: ["authorization_code"], response_types: ["code"],
              token_endpoint_auth_method: "client_secret_basic" }],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], personnel: ["personnel_code"] },
  scopes: ["openid", "email", "profile", "personnel"],
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ["kpi-test-cookie-key"] },
  findAccount: async (ctx, sub) => {
    const account = config.accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
  },
});
provider.proxy = false;

function form(res, uid, message) {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(`<form method="post" action="/interaction/${uid}"><p>${message}</p>` +
          `<input name="login"><input name="password" type="password"><button>Sign in</button></form>`);
}

async function body(req) {
  let data = "";
  for await (const chunk of req) data += chunk;
  return Object.fromEntries(new URLSearchParams(data));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  if (prompt.name === "login") {
    if (req.method !== "POST") return form(res, uid, "Sign in");
    const { login, password } = await body(req);
    const account = config.accounts[login];
    if (!account || account.password !== password) return form(res, uid, "Wrong login or password");
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  // Consent: everything the client asked for.
  const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const id = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId: id } }, { mergeWithLastSubmission: true });
}

const handler = provider.callback();
createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interaction(req, res).catch((err) => { res.writeHead(500); res.end(String(err)); });
    return;
  }
  handler(req, res);
}).listen(Number(port), "127.0.0.1", () => console.log("ready"));
