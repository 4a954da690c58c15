/**
 * Credentials the way people paste them, one per kind, for the redaction corpus (privacy/planted-secrets.test.ts).
 * `text` is the paste, `secret` the part that must never leave the host in `redacted` mode. `token` kinds are
 * a bare token that can also stand alone: a directory or branch name, a JSON key, a line type.
 *
 * Every value is made up (random-looking but not a live credential); prefixes and lengths follow each
 * service's documented format.
 */
export interface PlantedSecret {
  kind: string;
  text: string;
  secret: string;
  token?: boolean;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export const PLANTED_SECRETS: PlantedSecret[] = [
  {
    kind: 'anthropic key',
    text: 'ANTHROPIC_API_KEY is sk-ant-api03-Qm7vK2pX9rT4wY8zB3nC6dF1gH5jL0sA-xyzW',
    secret: 'Qm7vK2pX9rT4wY8zB3nC6dF1gH5jL0sA',
    token: true,
  },
  {
    kind: 'openai key',
    text: 'using sk-proj-Hq3Lz8Wm2Nc7Rv5Tb1Yx9Kd4Fg6Js0Pa now',
    secret: 'Hq3Lz8Wm2Nc7Rv5Tb1Yx9Kd4Fg6Js0Pa',
    token: true,
  },
  {
    kind: 'aws access key id',
    text: 'aws_access_key_id AKIAZ7QWERTY4UIOP2LM',
    secret: 'Z7QWERTY4UIOP2LM',
    token: true,
  },
  {
    kind: 'aws secret key',
    text: 'aws_secret_access_key = Wq8rT5yU2iO9pA6sD3fG0hJ7kL4zX1cV8bN5mQ2e',
    secret: 'Wq8rT5yU2iO9pA6sD3fG0hJ7kL4zX1cV8bN5mQ2e',
  },
  {
    kind: 'github classic token',
    text: 'GH_TOKEN ghp_Rk4Tz9Wq2Lm7Xc5Vb8Nh3Jd6Fg1Sa0Pe2Yu',
    secret: 'Rk4Tz9Wq2Lm7Xc5Vb8Nh3Jd6Fg1Sa0Pe2Yu',
    token: true,
  },
  {
    kind: 'github fine-grained token',
    text: 'github_pat_11AQW3ERTY0aBcDeFgHiJkLm_NoPqRsTuVwXyZ0123456789abcdefGHIJKL',
    secret: '11AQW3ERTY0aBcDeFgHiJkLm_NoPqRsTuVwXyZ',
    token: true,
  },
  {
    kind: 'slack bot token',
    text: 'SLACK_BOT_TOKEN xoxb-2849301745-5829104837261-Tq7Wm2Lx9Rb4Kc8Vn3Hz5Jd',
    secret: '5829104837261-Tq7Wm2Lx9Rb4Kc8Vn3Hz5Jd',
    token: true,
  },
  {
    kind: 'slack webhook',
    text: 'post to https://hooks.slack.com/services/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',
    secret: 'Zx8Cv7Bn6Mq5Wl4Ek3Rj2Ty1',
  },
  {
    kind: 'RSA private key',
    text: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7Tz9Wm2Lx\nHq3Lz8Wm2Nc7Rv5Tb1Yx9==\n-----END RSA PRIVATE KEY-----',
    secret: 'MIIEowIBAAKCAQEAq7Tz9Wm2Lx',
  },
  {
    kind: 'OpenSSH private key',
    text: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----',
    secret: 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
  },
  {
    kind: 'PGP private key block',
    text: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXq8z0BCADk3Rv7Wn\n=Zq4T\n-----END PGP PRIVATE KEY BLOCK-----',
    secret: 'lQOYBGXq8z0BCADk3Rv7Wn',
  },
  {
    kind: 'JWT',
    text: 'session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyMTIzIn0.Tq7Wm2Lx9Rb4Kc8Vn3Hz5JdQw',
    secret: 'Tq7Wm2Lx9Rb4Kc8Vn3Hz5JdQw',
    token: true,
  },
  {
    kind: 'bearer header',
    text: 'curl -H "Authorization: Bearer kd83jf7Hs92mXq1Lp0Zr" https://api.example.com',
    secret: 'kd83jf7Hs92mXq1Lp0Zr',
  },
  {
    kind: 'Stripe live secret key',
    text: 'STRIPE sk_live_51HqWeRtYuIoPaSdFgHjKlZx',
    secret: '51HqWeRtYuIoPaSdFgHjKlZx',
    token: true,
  },
  {
    kind: 'Stripe restricted key',
    text: 'stripe rk_live_51JkLmNoPqRsTuVwXyZaBcDe',
    secret: '51JkLmNoPqRsTuVwXyZaBcDe',
    token: true,
  },
  {
    kind: 'Azure storage AccountKey',
    text: 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFy9x8W7v6U5t4S3r2Q1p0==;EndpointSuffix=core.windows.net',
    secret: 'Zm9vYmFyYmF6cXV4Zm9vYmFy9x8W7v6U5t4S3r2Q1p0',
  },
  {
    kind: 'Azure SAS signature',
    text: 'https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&sp=r&sig=q7W%2Bm2Lx9Rb4Kc8Vn3Hz5JdPt%3D',
    secret: 'q7W%2Bm2Lx9Rb4Kc8Vn3Hz5JdPt',
  },
  { kind: 'DB_PASS', text: 'DB_PASS=Tr0ub4dor&3x ./migrate', secret: 'Tr0ub4dor' },
  { kind: 'MYSQL_PWD', text: 'MYSQL_PWD=kq9Zm2pL mysql -u root app', secret: 'kq9Zm2pL' },
  {
    kind: 'SECRET_KEY_BASE',
    text: 'SECRET_KEY_BASE=9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa rails s',
    secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa',
  },
  { kind: 'redis URL password', text: 'REDIS_URL=redis://:Rz8mPq2Lw7@cache.internal:6379/0', secret: 'Rz8mPq2Lw7' },
  {
    kind: 'postgres URL password',
    text: 'psql postgres://app:Pg9Wq3Lm7Xz@db.internal:5432/app',
    secret: 'Pg9Wq3Lm7Xz',
  },
  {
    kind: 'Basic auth header',
    text: `Authorization: Basic ${b64('deploy:Bx7Hq2Lm9Zt')}`,
    secret: b64('deploy:Bx7Hq2Lm9Zt'),
  },
  { kind: 'curl -u', text: 'curl -u admin:Cu7Lq2Wm9Zx https://jenkins.internal/api', secret: 'Cu7Lq2Wm9Zx' },
  { kind: 'mysql -p', text: 'mysql -u root -pMy5Qw8Er2Ty appdb < dump.sql', secret: 'My5Qw8Er2Ty' },
  {
    kind: 'docker login --password',
    text: 'docker login --username ci --password Dk4Rt7Yu1Io registry.example.com',
    secret: 'Dk4Rt7Yu1Io',
  },
  { kind: 'docker login -p', text: 'docker login -u ci -p Dp8Wq3Ez6Rx registry.example.com', secret: 'Dp8Wq3Ez6Rx' },
  {
    kind: 'Google API key',
    text: 'const key = AIzaSyQ7Wm2Lx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0Fg',
    secret: 'SyQ7Wm2Lx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0Fg',
    token: true,
  },
  { kind: 'GitLab token', text: 'GITLAB glpat-Wq7Lm2Zx9Rb4Kc8Vn3Hz', secret: 'Wq7Lm2Zx9Rb4Kc8Vn3Hz', token: true },
  {
    kind: 'npm token',
    text: '//registry.npmjs.org/:_authToken=npm_Q7wM2lX9rB4kC8vN3hZ5jD1tP6aS0eF2gY4u',
    secret: 'Q7wM2lX9rB4kC8vN3hZ5jD1tP6aS0eF2gY4u',
    token: true,
  },
  {
    kind: 'PyPI token',
    text: 'TWINE pypi-AgEIcHlwaS5vcmcCJGQ3ZjhkMmE3LTk0ZTItNGIzYS1hNzQxLWM5ZmJlMjg1ZTk2NgACKlszLCJk',
    secret: 'AgEIcHlwaS5vcmcCJGQ3ZjhkMmE3LTk0ZTItNGIzYS1hNzQxLWM5ZmJlMjg1ZTk2NgACKlszLCJk',
    token: true,
  },
  {
    kind: 'Hugging Face token',
    text: 'HF 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',
    secret: 'QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi',
    token: true,
  },
  {
    kind: 'SendGrid key',
    text: 'SENDGRID SG.Qw7Lm2Zx9Rb4Kc8Vn3Hz5J.Tq1Pa6Se0Fg3Hj8Kl2Zx9Cv4Bn7Mq1We5Rt8Yu2Io6Pa',
    secret: 'Tq1Pa6Se0Fg3Hj8Kl2Zx9Cv4Bn7Mq1We5Rt8Yu2Io6Pa',
    token: true,
  },
  {
    kind: 'Shopify token',
    text: 'shop 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',
    secret: '4f9a2c7e1b8d3f6a0c5e9b2d7f4a1c8e',
    token: true,
  },
  {
    kind: 'DigitalOcean token',
    text: 'DO dop_v1_4f9a2c7e1b8d3f6a0c5e9b2d7f4a1c8e4f9a2c7e1b8d3f6a0c5e9b2d7f4a1c8e',
    secret: '4f9a2c7e1b8d3f6a0c5e9b2d7f4a1c8e4f9a2c7e',
    token: true,
  },
  {
    kind: 'age secret key',
    text: 'AGE-SECRET-KEY-1QW7LM2ZX9RB4KC8VN3HZ5JDTQ1PA6SE0FG3HJ8KL2ZX9CV4BN7MQ1WE5RT8',
    secret: 'QW7LM2ZX9RB4KC8VN3HZ5JDTQ1PA6SE0FG3HJ8KL2ZX9CV4BN7',
    token: true,
  },
  {
    kind: 'Azure AD client secret',
    text: 'client secret value Abc8Q~Wq7Lm2Zx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0F',
    secret: 'Wq7Lm2Zx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0F',
    token: true,
  },
  {
    kind: 'password with spaces',
    text: 'PASSWORD="correct horse battery staple"',
    secret: 'correct horse battery staple',
  },
  { kind: 'password with semicolons', text: "DB_PASSWORD='pa;ss;w0rd;9' npm start", secret: 'pa;ss;w0rd;9' },
  {
    kind: 'JSON api_key value',
    text: '{"service": "billing", "api_key": "Jk8Lq3Wm7Zx2Rb5Tc"}',
    secret: 'Jk8Lq3Wm7Zx2Rb5Tc',
  },
  {
    kind: 'escaped JSON client_secret',
    text: '{\\"client_secret\\": \\"Cs9Wq4Lm8Zx3 with space\\"}',
    secret: 'Cs9Wq4Lm8Zx3 with space',
  },
  {
    kind: 'unknown-format random token',
    text: 'the key is Xq7Lm2Zw9Rb4Kc8Vn3Hz5JdTq1Pa6Se0 for staging',
    secret: 'Xq7Lm2Zw9Rb4Kc8Vn3Hz5JdTq1Pa6Se0',
    token: true,
  },
  {
    kind: 'URL token parameter',
    text: 'GET https://api.example.com/v1/items?token=Tk5Wq8Lm3Zx7&page=2',
    secret: 'Tk5Wq8Lm3Zx7',
  },
  { kind: 'API key header', text: 'X-Api-Key: Hk4Wq9Lm2Zx6Rb3', secret: 'Hk4Wq9Lm2Zx6Rb3' },
  { kind: 'mysql --password=', text: 'mysqldump --user=root --password=Md7Wq2Lm9Zx app', secret: 'Md7Wq2Lm9Zx' },
  {
    kind: 'wget --password',
    text: 'wget --user bob --password Wg3Lq8Zm2Xr https://files.internal/a.tgz',
    secret: 'Wg3Lq8Zm2Xr',
  },
  { kind: 'YAML passphrase', text: 'signing:\n  passphrase: "Pp6Wq1Lm8 Zx3Rb"', secret: 'Pp6Wq1Lm8 Zx3Rb' },
  {
    kind: 'Twilio auth token',
    text: 'TWILIO_AUTH_TOKEN=4f9a2c7e1b8d3f6a0c5e9b2d7f4a1c8e',
    secret: '4f9a2c7e1b8d3f6a0c5e9b2d7f4a1c8e',
  },
  {
    kind: 'kubeconfig client key data',
    text: `client-key-data: ${b64('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIQk9Wq2Lm7Zx')}`,
    secret: b64('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIQk9Wq2Lm7Zx').slice(8, 40),
  },
  {
    kind: 'Telegram bot token',
    text: 'BOT 7123456789:AAHq7Wm2Lx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0Fg',
    secret: 'AAHq7Wm2Lx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0Fg',
  },
  {
    kind: 'GCP service account private_key',
    text: '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}',
    secret: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
  },
];
