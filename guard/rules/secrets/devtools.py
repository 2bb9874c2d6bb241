"""Tokens of code hosts, registries and developer platforms: formats with a unique prefix."""

from __future__ import annotations

from guard.rules.secrets import checksums
from guard.rules.secrets.checksums import CrcFake
from guard.rules.secrets.checksums import PypiFake
from guard.rules.secrets.fakes import ALNUM
from guard.rules.secrets.fakes import HEX
from guard.rules.secrets.fakes import LOWER
from guard.rules.secrets.fakes import URLSAFE
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.table import token_rule

_B36 = LOWER + '0123456789'

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re


def _crc_fails(match: re.Match[str], text: str) -> str | None:
    value = match['value']
    if value.startswith('ghs_') and '.' in value:
        return None  # the installation token's JWT-like form carries no CRC
    return (
        None
        if checksums.crc_token_valid(value)
        else 'CRC32 suffix does not verify: never issued (provider-token-unverified)'
    )


def _macaroon_fails(match: re.Match[str], text: str) -> str | None:
    return (
        None
        if checksums.pypi_macaroon_valid(match['value'])
        else 'not a well-formed macaroon (provider-token-unverified)'
    )


def _verifies(match: re.Match[str], text: str) -> str | None:
    """For the unverified rule: drop what the provider's own rule verifies (it reports those)."""
    value = match['value']
    if value.startswith('pypi-'):
        return 'verified' if checksums.pypi_macaroon_valid(value) else None
    if value.startswith('github_pat_'):
        parts = value[len('github_pat_') :].split('_')
        return 'verified' if [len(p) for p in parts] == [22, 59] else None
    return 'verified' if checksums.crc_token_valid(value) else None


RULES = (
    token_rule(
        'github-token',
        'A GitHub token (classic PAT, OAuth, app or refresh token)',
        r'gh[pousr]_[A-Za-z0-9]{36,251}|ghs_\d+_[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}',
        ('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'),
        (CrcFake('gh' + 'p_', before='GITHUB_TOKEN = "', after='"'), CrcFake('gh' + 's_', before='token: ')),
        (
            'GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
            'token = "ghp_" + suffix',
            Fake('token: gh', 'p_', (ALNUM, 36)),
        ),  # random: its CRC32 suffix does not verify
        extra=(_crc_fails,),
    ),
    token_rule(
        'github-fine-grained-pat',
        'A GitHub fine-grained personal access token',
        r'github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}',
        ('github_pat_',),
        (Fake('export GH_TOKEN=github', '_pat_', (ALNUM, 22), '_', (ALNUM, 59)),),
        ('prefix = "github_pat_"',),
    ),
    token_rule(
        'gitlab-token',
        'A GitLab token (personal, deploy, runner, CI job, feed, OAuth …)',
        r'(?:gl(?:pat|dt|rt|ptt|ft|soat|imt|agent|ffct|oas|cbt|wt|cd)-[A-Za-z0-9_\-]{20,80}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,12})?'
        r'|GR1348941[A-Za-z0-9_\-]{20,60})',
        (
            'glpat-',
            'gldt-',
            'glrt-',
            'glptt-',
            'glft-',
            'glsoat-',
            'glimt-',
            'glagent-',
            'glffct-',
            'gloas-',
            'glcbt-',
            'glwt-',
            'glcd-',
            'gr1348941',
        ),
        (Fake('gitlab_token: gl', 'pat-', (URLSAFE, 20)), Fake('CI_RUNNER=GR13', '48941', (URLSAFE, 20))),
        ('gitlab_token: glpat-XXXXXXXXXXXXXXXXXXXX', 'token = "glpat-<your token>"'),
    ),
    token_rule(
        'npm-token',
        'An npm access token',
        r'npm_[A-Za-z0-9]{36}',
        ('npm_',),
        (CrcFake('np' + 'm_', before='//registry.npmjs.org/:_authToken='),),
        (
            'npm_config_cache=/tmp/npm',
            'NPM_TOKEN=npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
            Fake('NPM_TOKEN=np', 'm_', (ALNUM, 36)),
        ),
        extra=(_crc_fails,),
    ),
    token_rule(
        'pypi-token',
        'A PyPI upload token',
        r'pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}',
        ('pypi-age',),
        (PypiFake(before='password = '),),
        ('password = pypi-AgEIcHlwaS5vcmc...', Fake('password = py', 'pi-AgEIcHlwaS5vcmc', (URLSAFE, 70))),
        extra=(_macaroon_fails,),
    ),
    token_rule(
        'provider-token-unverified',
        "A token in a provider's exact format whose checksum or structure does not verify",
        r'gh[pousr]_[A-Za-z0-9]{36}|npm_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}'
        r'|pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}',
        ('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_', 'github_pat_', 'pypi-age'),
        (Fake('token: gh', 'p_', (ALNUM, 36)), Fake('password = py', 'pi-AgEIcHlwaS5vcmc', (URLSAFE, 70))),
        (CrcFake('gh' + 'p_', before='token: '), 'token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
        extra=(_verifies,),
        severity='note',
        why='A token shaped like a GitHub, npm or PyPI token whose checksum or structure does not verify: the provider '
        'never issued it (a test value, a documentation sample) or it was mistyped. Shown, never blocking.',
    ),
    token_rule(
        'docker-hub-token',
        'A Docker Hub personal access token',
        r'dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,40}',
        ('dckr_pat_', 'dckr_oat_'),
        (Fake('DOCKER_PASSWORD=dck', 'r_pat_', (URLSAFE, 27)),),
        ('DOCKER_PASSWORD=dckr_pat_***',),
    ),
    token_rule(
        'jfrog-token',
        'A JFrog / Artifactory API key or reference token',
        r'(?:AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56}|AKCp[0-9][A-Za-z0-9]{50,72})',
        ('akcp', 'cmvmdgtu'),
        (Fake('artifactory_api_key = AK', 'Cp8', (ALNUM, 69)), Fake('JFROG_TOKEN=cmVm', 'dGtu', (ALNUM, 56))),
        ('artifactory_api_key = AKCp_short',),
    ),
    token_rule(
        'atlassian-api-token',
        'An Atlassian (Jira / Confluence / Bitbucket) API token',
        r'(?:ATATT3|ATCTT3|ATBB)[A-Za-z0-9_\-=]{28,200}',
        ('atatt3', 'atctt3', 'atbb'),
        (Fake('JIRA_API_TOKEN=ATA', 'TT3xFfGF0', (URLSAFE, 180), '=', (HEX, 8)),),
        ('JIRA_API_TOKEN=ATATT3xxx',),
    ),
    token_rule(
        'hashicorp-vault-token',
        'A HashiCorp Vault token',
        r'hv[sbr]\.[A-Za-z0-9_\-]{24,200}',
        ('hvs.', 'hvb.', 'hvr.'),
        (Fake('VAULT_TOKEN=hv', 's.', (URLSAFE, 90)),),
        ('VAULT_TOKEN=hvs.example',),
    ),
    token_rule(
        'terraform-cloud-token',
        'A Terraform Cloud / Enterprise API token',
        r'[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70}',
        ('.atlasv1.',),
        (Fake('token = "', (ALNUM, 14), '.atlas', 'v1.', (URLSAFE, 67), '"'),),
        ('token = "xxxxxxxxxxxxxx.atlasv1.xxx"',),
    ),
    token_rule(
        'databricks-token',
        'A Databricks personal access token',
        r'dapi[a-f0-9]{32}(?:-\d)?',
        ('dapi',),
        (Fake('DATABRICKS_TOKEN=da', 'pi', (HEX, 32)),),
        ('DATABRICKS_TOKEN=dapi' + '0' * 32,),
    ),
    token_rule(
        'doppler-token',
        'A Doppler service / personal token',
        r'dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9_\-]{40,64}',
        ('dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'),
        (Fake('DOPPLER_TOKEN=dp', '.st.', (ALNUM, 43)),),
        ('DOPPLER_TOKEN=dp.st.XXXX',),
    ),
    token_rule(
        'linear-api-key',
        'A Linear API key',
        r'lin_(?:api|oauth)_[A-Za-z0-9]{40}',
        ('lin_api_', 'lin_oauth_'),
        (Fake('LINEAR_API_KEY=li', 'n_api_', (ALNUM, 40)),),
        ('LINEAR_API_KEY=lin_api_',),
    ),
    token_rule(
        'postman-api-key',
        'A Postman API key',
        r'PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}',
        ('pmak-',),
        (Fake('x-api-key: PM', 'AK-', (HEX, 24), '-', (HEX, 34)),),
        ('x-api-key: PMAK-{{key}}',),
    ),
    token_rule(
        'grafana-token',
        'A Grafana Cloud / service-account token',
        r'(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})',
        ('glc_', 'glsa_'),
        (Fake('GRAFANA_TOKEN=gl', 'sa_', (ALNUM, 32), '_', (HEX, 8)),),
        ('GRAFANA_TOKEN=glsa_xxx',),
    ),
    token_rule(
        'sentry-token',
        'A Sentry auth token',
        r'(?:sntrys_eyJ[A-Za-z0-9+/=_\-]{60,300}|sntryu_[a-f0-9]{64})',
        ('sntrys_', 'sntryu_'),
        (Fake('SENTRY_AUTH_TOKEN=sn', 'tryu_', (HEX, 64)),),
        ('SENTRY_AUTH_TOKEN=sntryu_',),
    ),
    token_rule(
        'ci-platform-token',
        'A CI/CD platform token (CircleCI, Buildkite, Pulumi, Sourcegraph, Supabase, Netlify …)',
        r'(?:CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}|bkua_[a-f0-9]{40}|pul-[a-f0-9]{40}|sgp_(?:[a-f0-9]{16}|local)_[a-f0-9]{40}'
        r'|sbp_[a-f0-9]{40}|nfp_[A-Za-z0-9]{36}|rnd_[A-Za-z0-9]{32}|pnu_[A-Za-z0-9]{36}|rubygems_[a-f0-9]{48}'
        r'|pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.\-]{32,64}|CLOJARS_[a-z0-9]{60}|rdme_[a-z0-9]{70}|fo1_[A-Za-z0-9_\-]{43}|HRKU-[A-Za-z0-9_\-]{58,64})',
        (
            'ccipat_',
            'bkua_',
            'pul-',
            'sgp_',
            'sbp_',
            'nfp_',
            'rnd_',
            'pnu_',
            'rubygems_',
            'pscale_',
            'clojars_',
            'rdme_',
            'fo1_',
            'hrku-',
        ),
        (Fake('BUILDKITE_TOKEN=bk', 'ua_', (HEX, 40)), Fake('PULUMI_ACCESS_TOKEN=pu', 'l-', (HEX, 40))),
        ('PULUMI_ACCESS_TOKEN=pul-xxx',),
    ),
    token_rule(
        'age-secret-key',
        'An age encryption secret key',
        r'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}',
        ('age-secret-key-1',),
        (Fake('AGE-SE', 'CRET-KEY-1', ('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)),),
        ('# AGE-SECRET-KEY-1...',),
    ),
    token_rule(
        'tailscale-key',
        'A Tailscale auth / API key',
        r'tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{8,20}-[A-Za-z0-9]{20,40}',
        ('tskey-',),
        (Fake('TS_AUTHKEY=ts', 'key-auth-', (ALNUM, 12), '-', (ALNUM, 30)),),
        ('TS_AUTHKEY=tskey-auth-xxx',),
    ),
    token_rule(
        'onepassword-token',
        'A 1Password service-account token or secret key',
        r'(?:ops_eyJ[A-Za-z0-9+/]{100,}={0,2}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})',
        ('ops_eyj', 'a3-'),
        (Fake('OP_SERVICE_ACCOUNT_TOKEN=op', 's_eyJ', (ALNUM, 120)),),
        ('OP_SERVICE_ACCOUNT_TOKEN=ops_...',),
    ),
)
