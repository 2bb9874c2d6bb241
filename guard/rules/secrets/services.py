"""Tokens of SaaS APIs: chat, payments, mail, commerce, social, monitoring."""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import ALNUM_UPPER
from guard.rules.secrets.fakes import DIGITS
from guard.rules.secrets.fakes import HEX
from guard.rules.secrets.fakes import LOWER
from guard.rules.secrets.fakes import URLSAFE
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.table import token_rule

_HEX_LETTER = LazyRegex(r'[a-f]')
_DIGIT = LazyRegex(r'\d')

RULES = (
    token_rule(
        'slack-token',
        'A Slack bot / user / app / config token',
        r'(?:xoxb-\d{8,14}-(?:\d{8,14}-)?[A-Za-z0-9]{18,40}|xox[pe](?:-\d{10,13}){3}-[A-Za-z0-9]{28,64}'
        r'|xox[ar]-(?:\d-)?[0-9]{6,}-[0-9A-Za-z-]{8,100}|xox[os]-\d+-\d+-\d+-[a-fA-F\d]{10,}|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}'
        r'|xoxe-\d-[A-Za-z0-9]{100,160}|xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,80})',
        ('xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', 'xoxe-', 'xoxe.', 'xapp-'),
        (Fake('SLACK_BOT_TOKEN = "xo', 'xb-', (DIGITS, 12), '-', (DIGITS, 13), '-', (ALNUM, 24), '"'),),
        ('SLACK_BOT_TOKEN = "xoxb-your-bot-token"', 'SLACK_BOT_TOKEN = "xoxb-xxxxxxxxxxxx-xxxxxxxxxxxxx"'),
    ),
    token_rule(
        'slack-webhook-url',
        'A Slack incoming-webhook URL',
        r'https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{30,120}',
        ('hooks.slack.com/',),
        (Fake('url = "https://hooks.slack.com/services/T', (DIGITS, 8), '/B', (DIGITS, 8), '/', (ALNUM, 24), '"'),),
        ('url = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"',),
    ),
    token_rule(
        'stripe-key',
        'A Stripe secret or restricted key',
        r'(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,99}',
        ('sk_live_', 'rk_live_', 'sk_test_', 'rk_test_', 'sk_prod_', 'rk_prod_'),
        (
            Fake('STRIPE_SECRET_KEY = "sk', '_live_', (ALNUM, 24), '"'),
            Fake("stripe.api_key = 'rk", '_live_', (ALNUM, 24), "'"),
        ),
        ('STRIPE_SECRET_KEY = "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"', 'pk_live_' + 'a1B2c3D4e5F6g7H8i9J0k1L2'),
    ),
    token_rule(
        'stripe-webhook-secret',
        'A Stripe webhook signing secret',
        r'whsec_[A-Za-z0-9]{32,64}',
        ('whsec_',),
        (Fake('STRIPE_WEBHOOK_SECRET=wh', 'sec_', (ALNUM, 32)),),
        ('STRIPE_WEBHOOK_SECRET=whsec_...',),
    ),
    token_rule(
        'sendgrid-api-key',
        'A SendGrid API key',
        r'SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}',
        ('sg.',),
        (Fake('  sendgrid_api_key: S', 'G.', (ALNUM, 22), '.', (ALNUM, 43)),),
        ('  sendgrid_api_key: SG.xxxx',),
    ),
    token_rule(
        'twilio-api-key',
        'A Twilio API key SID',
        r'SK[0-9a-fA-F]{32}',
        ('twilio', 'sk'),
        (Fake('TWILIO_API_KEY=S', 'K', (HEX, 32)),),
        ('TWILIO_API_KEY=SK' + '0' * 32,),
        extra=(
            lambda m, t: None if _HEX_LETTER.search(m['value'][2:]) and _DIGIT.search(m['value']) else 'not hex mixed',
        ),
        keyword_tail=32,
    ),
    token_rule(
        'mailgun-api-key',
        'A Mailgun API key',
        r'(?:key-[0-9a-zA-Z]{32}|pubkey-[0-9a-f]{32})',
        ('key-',),
        (Fake('MAILGUN_API_KEY=ke', 'y-', (HEX, 32)),),
        ('MAILGUN_API_KEY=key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',),
        extra=(lambda m, t: None if _DIGIT.search(m['value'][4:]) else 'not a generated key',),
    ),
    token_rule(
        'mailchimp-api-key',
        'A Mailchimp API key',
        r'[0-9a-f]{32}-us\d{1,2}',
        ('-us',),
        (Fake('MAILCHIMP_KEY = "', (HEX, 32), '-us', '12"'),),
        ('MAILCHIMP_KEY = "' + '0' * 32 + '-us12"',),
    ),
    token_rule(
        'brevo-api-key',
        'A Brevo (Sendinblue) API key',
        r'xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}',
        ('xkeysib-',),
        (Fake('BREVO_KEY=xke', 'ysib-', (HEX, 64), '-', (ALNUM, 16)),),
        ('BREVO_KEY=xkeysib-...',),
    ),
    token_rule(
        'shopify-token',
        'A Shopify access token or shared secret',
        r'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}',
        ('shpat_', 'shpca_', 'shppa_', 'shpss_'),
        (Fake('SHOPIFY_TOKEN=sh', 'pat_', (HEX, 32)),),
        ('SHOPIFY_TOKEN=shpat_xxxxxxxx',),
    ),
    token_rule(
        'square-token',
        'A Square access token or OAuth secret',
        r'(?:EAAA[A-Za-z0-9_\-]{60}|sq0(?:atp|csp)-[A-Za-z0-9_\-]{22,43})',
        ('eaaa', 'sq0atp-', 'sq0csp-'),
        (Fake('SQUARE_TOKEN=sq', '0atp-', (URLSAFE, 22)),),
        ('SQUARE_TOKEN=sq0atp-XXXXXXXXXXXXXXXXXXXXXX',),
    ),
    token_rule(
        'payment-provider-key',
        'A payment provider secret key (Braintree, Razorpay, Flutterwave, GoCardless, Shippo …)',
        r'(?:access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}|rzp_live_[A-Za-z0-9]{14}|FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X'
        r'|shippo_live_[a-f0-9]{40}|EZAK[A-Za-z0-9]{54}|duffel_live_[A-Za-z0-9_=\-]{43}|live_[A-Za-z0-9_=\-]{40}(?=.{0,40}gocardless))',
        ('access_token$production$', 'rzp_live_', 'flwseck', 'shippo_live_', 'ezak', 'duffel_live_', 'gocardless'),
        (
            Fake('BRAINTREE=access_token$production$', (LOWER + DIGITS, 16), '$', (HEX, 32)),
            Fake('RAZORPAY_KEY=rz', 'p_live_', (ALNUM, 14)),
        ),
        ('RAZORPAY_KEY=rzp_live_XXXXXXXXXXXXXX',),
    ),
    token_rule(
        'discord-token',
        'A Discord bot token or webhook URL',
        r'(?:https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_\-]{60,80}'
        r'|[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40})',
        ('discord',),
        (Fake('DISCORD_BOT_TOKEN=M', (ALNUM, 23), '.', (ALNUM, 6), '.', (URLSAFE, 27)),),
        ('DISCORD_BOT_TOKEN=your-token-here',),
    ),
    token_rule(
        'telegram-bot-token',
        'A Telegram bot token',
        r'\d{8,10}:AA[A-Za-z0-9_\-]{32,33}',
        (':aa',),
        (Fake('TELEGRAM_BOT_TOKEN=', (DIGITS, 10), ':AA', (URLSAFE, 33)),),
        ('TELEGRAM_BOT_TOKEN=123456789:AAxxxxxxxxxxxx',),
    ),
    token_rule(
        'facebook-access-token',
        'A Facebook / Meta access token',
        r'EAA[A-Z][A-Za-z0-9]{80,}',
        ('eaa',),
        (Fake('FB_TOKEN=EA', 'AB', (ALNUM, 120)),),
        ('FB_TOKEN=EAAB...',),
    ),
    token_rule(
        'twitter-bearer-token',
        'A Twitter / X API bearer token',
        r'A{20,22}[A-Za-z0-9%]{30,120}',
        ('aaaaaaaaaaaaaaaaaaaa',),
        (Fake('TWITTER_BEARER=' + 'A' * 22, (ALNUM, 80)),),
        ('TWITTER_BEARER=' + 'A' * 40,),
    ),
    token_rule(
        'dropbox-token',
        'A Dropbox access token',
        r'(?:sl\.[A-Za-z0-9_\-]{130,152}|[a-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=\-]{43})',
        ('sl.', 'aaaaaaaaaa'),
        (Fake('DROPBOX_TOKEN=sl', '.', (URLSAFE, 140)),),
        ('DROPBOX_TOKEN=sl.xxx',),
        extra=(lambda m, t: None if m['value'].startswith('sl.') or 'dropbox' in t.lower() else 'no dropbox context',),
    ),
    token_rule(
        'new-relic-key',
        'A New Relic API / license / browser key',
        r'(?:NR(?:AK|AA|II|JS|BR|IQ|RA)-[A-Za-z0-9]{19,32}|[a-f0-9]{36}NRAL)',
        ('nrak-', 'nraa-', 'nrii-', 'nrjs-', 'nrbr-', 'nriq-', 'nrra-', 'nral'),
        (Fake('NEW_RELIC_API_KEY=NR', 'AK-', (ALNUM_UPPER, 27)),),
        ('NEW_RELIC_API_KEY=NRAK-XXXXXXXX',),
    ),
    token_rule(
        'hubspot-token',
        'A HubSpot private-app token',
        r'pat-(?:na|eu)\d-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}',
        ('pat-na', 'pat-eu'),
        (Fake('HUBSPOT_TOKEN=pat-na1-', (HEX, 8), '-', (HEX, 4), '-', (HEX, 4), '-', (HEX, 4), '-', (HEX, 12)),),
        ('HUBSPOT_TOKEN=pat-na1-xxxxxxxx',),
    ),
    token_rule(
        'saas-api-token',
        'A SaaS API token (Airtable, Notion, Typeform, Contentful, Dynatrace, Adafruit, Infracost, Plaid, Langsmith …)',
        r'(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|tfp_[A-Za-z0-9_\-=.]{59}|CFPAT-[A-Za-z0-9_\-]{43}'
        r'|dt0[a-z]\d{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}|aio_[A-Za-z0-9]{28}|ico-[A-Za-z0-9]{32}|access-(?:sandbox|development|production)-'
        r'[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}|lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}|s-s4t2(?:ud|af)-[a-f0-9]{64}'
        r'|fio-u-[A-Za-z0-9_=\-]{64}|sntrys_[A-Za-z0-9]{60,}|key_(?:live|test)_[A-Za-z0-9]{32}|rzp_test_[A-Za-z0-9]{14})',
        (
            'ntn_',
            'tfp_',
            'cfpat-',
            'dt0',
            'aio_',
            'ico-',
            'access-sandbox-',
            'access-development-',
            'access-production-',
            'lsv2_',
            's-s4t2',
            'fio-u-',
            'key_live_',
            'key_test_',
            'rzp_test_',
        ),
        (Fake('NOTION_TOKEN=nt', 'n_', (DIGITS, 11), (ALNUM, 35)),),
        ('NOTION_TOKEN=ntn_xxx',),
    ),
    token_rule(
        'airtable-token',
        'An Airtable personal access token',
        r'pat[A-Za-z0-9]{14}\.[a-f0-9]{64}',
        ('pat',),
        (Fake('AIRTABLE_TOKEN=pa', 't', (ALNUM, 14), '.', (HEX, 64)),),
        ('AIRTABLE_TOKEN=patXXXX',),
        keyword_tail=14,
    ),
    token_rule(
        'microsoft-teams-webhook',
        'A Microsoft Teams incoming-webhook URL',
        r'https://[A-Za-z0-9.\-]+\.webhook\.office\.com/webhookb2/[a-f0-9\-]{36}@[a-f0-9\-]{36}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9\-]{36}',
        ('webhook.office.com',),
        (
            Fake(
                'url: https://contoso.webhook.office.com/webhookb2/',
                (HEX, 36),
                '@',
                (HEX, 36),
                '/IncomingWebhook/',
                (HEX, 32),
                '/',
                (HEX, 36),
            ),
        ),
        ('url: https://contoso.webhook.office.com/',),
    ),
    token_rule(
        'mapbox-secret-token',
        'A Mapbox secret access token',
        r'sk\.eyJ[A-Za-z0-9_\-]{50,}\.[A-Za-z0-9_\-]{20,}',
        ('sk.eyj',),
        (Fake('MAPBOX_TOKEN=sk', '.eyJ1', (URLSAFE, 60), '.', (URLSAFE, 22)),),
        ('MAPBOX_TOKEN=pk.eyJ1IjoiZXhhbXBsZSJ9.abc',),
    ),
)
