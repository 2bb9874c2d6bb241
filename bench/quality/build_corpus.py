#!/usr/bin/env python3
"""Assemble the detection-quality corpus from the peers' own published rule test cases.

Sources (read with the search tool's read_file from the public repositories; each record keeps
repository, path and commit as its provenance):
  * gitleaks 8.x  cmd/generate/config/rules/*.go -- `tps` / `fps` arrays. Most true positives there
    are produced by utils.GenerateSampleSecrets(identifier, secret): one secret, 25 assignment
    templates (INI, JSON, XML, YAML, Go, Java, C#, Kotlin, PHP, Python, Makefile, logstash...), with
    the secret drawn by secrets.NewSecret(regex). Those calls are listed in GENERATED below and
    expanded here exactly as the Go helper does, with a seeded generator in place of NewSecret.
  * Kingfisher   crates/kingfisher-rules/data/rules/*.yml -- `examples` / `negative_examples`.
  * detect-secrets tests/plugins/*_test.py -- parametrized positive / negative payloads.
Literal cases transcribed from those files are in seed_cases.jsonl. guard_cases.jsonl adds issue 10's
forms (password-only and unix-socket URLs, JDBC / libpq strings, passwords built around common words,
insecure environment defaults; values seeded-random) and real placeholders from templates and docs. All values are the projects'
published fake/example values or random strings generated here: none is a real credential.

usage: build_corpus.py [OUT]   (default: corpus.jsonl beside this script)
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

HERE = Path(__file__).resolve().parent
GITLEAKS = 'gitleaks/gitleaks'
RULES_DIR = 'cmd/generate/config/rules/'

# gitleaks cmd/generate/config/utils/generate.go GenerateSampleSecrets: the uncommented templates.
TEMPLATES = {
    'ini - quoted1': '{i}Token="{s}"',
    'ini - quoted2': '{i}Token = "{s}"',
    'ini - unquoted1': '{i}Token={s}',
    'ini - unquoted2': '{i}Token = {s}',
    'json - string': '{\n    "{i}_token": "{s}"\n}',
    'json - escaped newline in string': '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
    'xml - element multiline': '<{i}Token>\n    {s}\n</{i}Token>',
    'yaml - singleline - unquoted': '{i}_token: {s}',
    'yaml - singleline - single quote': "{i}_token: '{s}'",
    'yaml - singleline - double quote': '{i}_token: "{s}"',
    'C#': 'string {i}Token = "{s}";',
    'go - normal': 'var {i}Token string = "{s}"',
    'go - short': '{i}Token := "{s}"',
    'go - backticks': '{i}Token := `{s}`',
    'java': 'String {i}Token = "{s}";',
    'kotlin - notype': 'var {i}Token = "{s}"',
    'php - string concat': '${i}Token .= "{s}"',
    'python - single quote': "{i}Token = '{s}'",
    'python - double quote': '{i}Token = "{s}"',
    'misc - comma operator': 'System.setProperty("{I}_TOKEN", "{s}")',
    'logstash': '  "{i}Token" => "{s}"',
    'make - recursive assignment': '{i}_TOKEN = "{s}"',
    'make - simple assignment': '{i}_TOKEN := "{s}"',
    'make - shell assignment': '{i}_TOKEN ::= "{s}"',
    'make - evaluated shell assignment': '{i}_TOKEN :::= "{s}"',
    'make - conditional assignment': '{i}_TOKEN ?= "{s}"',
}

TEMPLATES_PER_SECRET = 6

# (rule file, gitleaks rule id, identifier, secret: a NewSecret regex, or literal text prefixed with '=').
# Transcribed from the GenerateSampleSecrets / generateSampleSecret calls in each file.
GENERATED = [
    ('aws.go', 'aws-access-token', 'AWS', 'AKIA[A-Z2-7]{16}'),
    ('aws.go', 'aws-access-token', 'AWS', 'ASIA[A-Z2-7]{16}'),
    ('github.go', 'github-pat', 'github', 'ghp_[a-z0-9]{36}'),
    ('github.go', 'github-oauth', 'github', 'gho_[a-z0-9]{36}'),
    ('github.go', 'github-app-token', 'github', 'ghs_[a-z0-9]{36}'),
    ('github.go', 'github-fine-grained-pat', 'github', 'github_pat_[0-9a-zA-Z_]{82}'),
    ('gitlab.go', 'gitlab-pat', 'gitlab', 'glpat-[0-9a-zA-Z_-]{20}'),
    ('gitlab.go', 'gitlab-ptt', 'gitlab', 'glptt-[0-9a-f]{40}'),
    ('gitlab.go', 'gitlab-rrt', 'gitlab', 'GR1348941[0-9a-zA-Z_-]{20}'),
    ('slack.go', 'slack-bot-token', 'bot', 'xoxb-[0-9]{12}-[0-9]{13}-[a-zA-Z0-9]{24}'),
    ('slack.go', 'slack-webhook-url', 'slack', 'https://hooks\\.slack\\.com/services/[A-Za-z0-9+/]{44}'),
    ('stripe.go', 'stripe-access-token', 'stripe', 'sk_live_[a-zA-Z0-9]{24}'),
    ('stripe.go', 'stripe-access-token', 'stripe', 'rk_prod_[a-zA-Z0-9]{24}'),
    ('openai.go', 'openai-api-key', 'openaiApiKey', 'sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}'),
    ('anthropic.go', 'anthropic-api-key', 'anthropic', 'sk-ant-api03-[a-zA-Z0-9_-]{93}AA'),
    ('sendgrid.go', 'sendgrid-api-token', 'sengridAPIToken', 'SG\\.[a-zA-Z0-9=_-]{66}'),
    ('twilio.go', 'twilio-api-key', 'twilio', 'SK[0-9a-fA-F]{32}'),
    ('mailgun.go', 'mailgun-private-api-token', 'mailgun', 'key-[a-f0-9]{32}'),
    ('mailgun.go', 'mailgun-signing-key', 'mailgun', '[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}'),
    ('gcp.go', 'gcp-api-key', 'gcp', 'AIza[0-9A-Za-z_-]{35}'),
    ('azure.go', 'azure-ad-client-secret', 'azure', '[a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34}'),
    ('npm.go', 'npm-access-token', 'npmAccessToken', 'npm_[a-z0-9]{36}'),
    ('pypi.go', 'pypi-upload-token', 'pypiToken', 'pypi-AgEIcHlwaS5vcmc[a-z0-9_-]{50}'),
    ('heroku.go', 'heroku-api-key', 'heroku', '[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}'),
    ('digitalocean.go', 'digitalocean-pat', 'do', 'dop_v1_[a-f0-9]{64}'),
    ('discord.go', 'discord-api-token', 'discord', '[a-h0-9]{64}'),
    ('discord.go', 'discord-client-secret', 'discord', '[a-z0-9=_-]{32}'),
    ('telegram.go', 'telegram-bot-api-token', 'telegram', '[0-9]{5,16}:A[a-z0-9_-]{34}'),
    ('shopify.go', 'shopify-access-token', 'shopify', 'shpat_[a-fA-F0-9]{32}'),
    ('shopify.go', 'shopify-shared-secret', 'shopify', 'shpss_[a-fA-F0-9]{32}'),
    ('square.go', 'square-access-token', 'square', 'EAAA[a-zA-Z0-9_-]{60}'),
    ('datadog.go', 'datadog-access-token', 'datadog', '[a-z0-9]{40}'),
    ('newrelic.go', 'new-relic-user-api-key', 'new-relic', 'NRAK-[a-z0-9]{27}'),
    ('newrelic.go', 'new-relic-browser-api-token', 'new-relic', 'NRJS-[a-f0-9]{19}'),
    ('hashicorp_vault.go', 'vault-service-token', 'vault', 'hvs\\.[a-z0-9_-]{90,100}'),
    ('hashicorp.go', 'hashicorp-tf-api-token', 'hashicorpToken', '[a-z0-9]{14}\\.atlasv1\\.[a-z0-9=_-]{60,70}'),
    ('jfrog.go', 'jfrog-api-key', 'jfrog', '[a-z0-9]{73}'),
    ('atlassian.go', 'atlassian-api-token', 'atlassian', '[a-z0-9]{24}'),
    ('atlassian.go', 'atlassian-api-token', 'confluence', 'ATATT3[A-Za-z0-9_=-]{186}'),
    ('dropbox.go', 'dropbox-api-token', 'dropbox', '[a-z0-9]{15}'),
    ('facebook.go', 'facebook-secret', 'facebook', '[a-f0-9]{32}'),
    ('facebook.go', 'facebook-access-token', 'facebook', '[0-9]{16}\\|[0-9a-zA-Z_-]{27}'),
    ('twitter.go', 'twitter-api-key', 'twitter', '[a-z0-9]{25}'),
    ('twitter.go', 'twitter-bearer-token', 'twitter', 'A{22}[a-zA-Z0-9%]{80,100}'),
    ('mailchimp.go', 'mailchimp-api-key', 'mailchimp', '[a-f0-9]{32}-us[0-9]{2}'),
    ('doppler.go', 'doppler-api-token', 'doppler', 'dp\\.pt\\.[a-z0-9]{43}'),
    ('linear.go', 'linear-api-key', 'linear', 'lin_api_[a-z0-9]{40}'),
    ('linear.go', 'linear-client-secret', 'linear', '[a-f0-9]{32}'),
    ('postman.go', 'postman-api-token', 'postmanAPItoken', 'PMAK-[a-f0-9]{24}-[a-f0-9]{34}'),
    ('databricks.go', 'databricks-api-token', 'databricks', 'dapi[a-f0-9]{32}'),
    ('huggingface.go', 'huggingface-access-token', 'huggingface', 'hf_[a-zA-Z]{34}'),
    ('age.go', 'age-secret-key', 'age', 'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}'),
    ('adafruit.go', 'adafruit-api-key', 'adafruit', '[a-z0-9_-]{32}'),
    ('airtable.go', 'airtable-api-key', 'airtable', '[a-z0-9]{17}'),
    ('algolia.go', 'algolia-api-key', 'algolia', '[a-z0-9]{32}'),
    ('asana.go', 'asana-client-secret', 'asana', '[a-z0-9]{32}'),
    ('beamer.go', 'beamer-api-token', 'beamer', 'b_[a-z0-9=_-]{44}'),
    ('bitbucket.go', 'bitbucket-client-secret', 'bitbucket', '[a-z0-9=_-]{64}'),
    ('clojars.go', 'clojars-api-token', 'clojars', 'CLOJARS_[a-z0-9]{60}'),
    ('codecov.go', 'codecov-access-token', 'codecov', '[a-z0-9]{32}'),
    ('coinbase.go', 'coinbase-access-token', 'coinbase', '[a-z0-9_-]{64}'),
    ('confluent.go', 'confluent-secret-key', 'confluent', '[a-z0-9]{64}'),
    ('contentful.go', 'contentful-delivery-api-token', 'contentful', '[a-z0-9=_-]{43}'),
    ('droneci.go', 'droneci-access-token', 'droneci', '[a-z0-9]{32}'),
    ('easypost.go', 'easypost-api-token', 'easypost', 'EZAK[a-z0-9]{54}'),
    ('etsy.go', 'etsy-access-token', 'ETSY', '[a-z0-9]{24}'),
    ('fastly.go', 'fastly-api-token', 'fastly', '[a-z0-9=_-]{32}'),
    ('finicity.go', 'finicity-client-secret', 'finicity', '[a-z0-9]{20}'),
    ('flutterwave.go', 'flutterwave-secret-key', 'flutterwave', 'FLWSECK_TEST-[a-h0-9]{32}-X'),
    ('frameio.go', 'frameio-api-token', 'frameio', 'fio-u-[a-z0-9=_-]{64}'),
    ('gocardless.go', 'gocardless-api-token', 'gocardless', 'live_[a-z0-9_=-]{40}'),
    ('grafana.go', 'grafana-cloud-api-token', 'grafana-cloud-api-token', 'glc_[A-Za-z0-9+/]{32,400}={0,2}'),
    ('hubspot.go', 'hubspot-api-key', 'hubspot', '[A-Z0-9]{8}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{12}'),
    ('intercom.go', 'intercom-api-key', 'intercom', '[a-z0-9=_]{60}'),
    ('kraken.go', 'kraken-access-token', 'kraken', '[a-z0-9/=_+-]{80,90}'),
    ('kucoin.go', 'kucoin-secret-key', 'kucoin', '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'),
    ('launchdarkly.go', 'launchdarkly-access-token', 'launchdarkly', '[a-z0-9=_-]{40}'),
    ('lob.go', 'lob-api-key', 'lob', '(live|test)_[a-f0-9]{35}'),
    ('mapbox.go', 'mapbox-api-token', 'mapbox', 'pk\\.[a-z0-9]{60}\\.[a-z0-9]{22}'),
    ('mattermost.go', 'mattermost-access-token', 'mattermost', '[a-z0-9]{26}'),
    ('netlify.go', 'netlify-access-token', 'netlify', '[a-z0-9=_-]{40,46}'),
    ('okta.go', 'okta-access-token', 'okta', '00[a-z0-9=_-]{40}'),
    ('plaid.go', 'plaid-secret-key', 'plaid', '[a-z0-9]{30}'),
    ('pulumi.go', 'pulumi-api-token', 'pulumi', 'pul-[a-f0-9]{40}'),
    ('rapidapi.go', 'rapidapi-access-token', 'rapidapi', '[a-z0-9_-]{50}'),
    ('sendinblue.go', 'sendinblue-api-token', 'sendinblue', 'xkeysib-[a-f0-9]{64}-[a-z0-9]{16}'),
    ('sentry.go', 'sentry-access-token', 'sentry', '[a-f0-9]{64}'),
    ('sonar.go', 'sonar-api-token', 'sonar', 'squ_[a-z0-9]{40}'),
    ('sumologic.go', 'sumologic-access-token', 'sumo', '[a-z0-9]{64}'),
    ('travisci.go', 'travisci-access-token', 'travis', '[a-z0-9]{22}'),
    ('typeform.go', 'typeform-api-token', 'typeformAPIToken', 'tfp_[a-z0-9_.=-]{59}'),
    ('yandex.go', 'yandex-api-key', 'yandex', 'AQVN[A-Za-z0-9_-]{35,38}'),
    ('zendesk.go', 'zendesk-secret-key', 'zendesk', '[a-z0-9]{40}'),
    ('database.go', 'database-password', 'DB_PASSWORD', '[a-zA-Z0-9:;<@=},!$?^]{20}'),
    ('database.go', 'database-password', 'db_password', '[a-zA-Z0-9:;<@=},!$?^]{6}'),
    (
        'generic.go',
        'generic-api-key',
        'generic',
        '=CLOJARS_34bf0e88955ff5a1c328d6a7491acc4f48e865a7b8dd4d70a70749037443',
    ),
    ('generic.go', 'generic-api-key', 'generic', '=Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB'),
]


def generate(pattern: str, rng: random.Random) -> str:
    """A string matching `pattern` (the subset gitleaks' NewSecret calls use: classes, repeats, groups)."""
    return _emit(sre_parse.parse(pattern), rng)


def _emit(items: object, rng: random.Random) -> str:
    out = []
    for op, arg in items:  # type: ignore[attr-defined]
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.IN:
            out.append(_pick(arg, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, sub = arg
            count = rng.randint(low, min(high, low + 8) if high != sre.MAXREPEAT else low + 8)
            out.extend(_emit(sub, rng) for _ in range(count))
        elif op is sre.SUBPATTERN:
            out.append(_emit(arg[-1], rng))
        elif op is sre.BRANCH:
            out.append(_emit(rng.choice(arg[1]), rng))
        elif op is sre.CATEGORY:
            out.append(rng.choice('0123456789') if arg is sre.CATEGORY_DIGIT else rng.choice('abcdef'))
        else:
            raise ValueError(f'unsupported regex construct {op}')
    return ''.join(out)


def _pick(members: list[tuple[object, object]], rng: random.Random) -> str:
    pool: list[str] = []
    for kind, value in members:
        if kind is sre.LITERAL:
            pool.append(chr(value))  # type: ignore[arg-type]
        elif kind is sre.RANGE:
            low, high = value  # type: ignore[misc]
            pool.extend(chr(c) for c in range(low, high + 1))
        elif kind is sre.CATEGORY and value is sre.CATEGORY_DIGIT:
            pool.extend('0123456789')
    return rng.choice(pool)


def generated_cases(seed: int = 20250101) -> list[dict[str, object]]:
    rng = random.Random(seed)
    cases = []
    for rule_file, rule, identifier, secret_spec in GENERATED:
        secret = secret_spec[1:] if secret_spec.startswith('=') else generate(secret_spec, rng)
        # Six of the 26 templates per call keeps these from swamping the hand-written cases.
        for key in rng.sample(sorted(TEMPLATES), TEMPLATES_PER_SECRET):
            template = TEMPLATES[key]
            text = template.replace('{i}', identifier).replace('{I}', identifier.upper()).replace('{s}', secret)
            cases.append(
                {
                    'source': f'{GITLEAKS}:{RULES_DIR}{rule_file} GenerateSampleSecrets[{key}]',
                    'rule': rule,
                    'text': text,
                    'label': 1,
                }
            )
    return cases


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / 'corpus.jsonl'
    seeds = [json.loads(line) for line in (HERE / 'seed_cases.jsonl').read_text().splitlines() if line.strip()]
    own = [json.loads(line) for line in (HERE / 'guard_cases.jsonl').read_text().splitlines() if line.strip()]
    cases = seeds + generated_cases() + own
    with out.open('w') as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + '\n')
    positives = sum(1 for c in cases if c['label'] == 1)
    print(f'{out}: {len(cases)} cases, {positives} positive, {len(cases) - positives} negative')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
