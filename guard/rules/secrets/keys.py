"""Key material: PEM / OpenSSH / PGP / PuTTY private keys, Google service-account JSON, JWTs."""

from __future__ import annotations

from guard.lazy_regex import LazyRegex
from guard.rules.base import Rule
from guard.rules.base import shannon_entropy
from guard.rules.secrets.fakes import BASE64
from guard.rules.secrets.fakes import URLSAFE
from guard.rules.secrets.fakes import Fake
from guard.rules.secrets.fakes import join

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

FIX_KEY = 'Revoke the key (replace it wherever it is trusted), delete it from the repository and its history, and keep keys out of git.'

# Armour headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Version: GnuPG`), plain or JSON-escaped, then the base64 body.
_ARMOUR_HEADERS = r'(?:(?:\\[rn]|\s)*[A-Za-z][\w-]*: [^\n\\]*)*'
_BODY = r'(?P<value>(?:\\[rn]|[A-Za-z0-9+/=\s]){40,})'
_BODY_BREAK = LazyRegex(r'\\[rn]|\s')  # a newline, raw or JSON-escaped
# Searched in the decoded header's bytes as latin-1 (one char per byte) with ASCII classes and case
# folding, as a bytes pattern would search the bytes.
_ALG_NONE = LazyRegex(r'(?ai)"alg"\s*:\s*"none"')
_URLSAFE_TO_STANDARD = bytes.maketrans(b'-_', b'+/')


def _decoded(segment: str) -> bytes:
    """`base64.urlsafe_b64decode` of a JWT segment, padded; b'' when it is not base64.

    binascii rather than base64, which imports `re` (~8 ms) for a function this one line does.
    """
    import binascii  # only for a JWT-shaped candidate: the commit hook's start-up stays lean

    try:
        data = (segment + '=' * (-len(segment) % 4)).encode('ascii').translate(_URLSAFE_TO_STANDARD)
        return binascii.a2b_base64(data)
    except (ValueError, binascii.Error):  # UnicodeEncodeError is a ValueError, as in base64
        return b''


def _jwt_noise(match: re.Match[str], text: str) -> str | None:
    header_segment, _, signature = match['value'].split('.', 2)
    header = _decoded(header_segment)
    # The header must be JSON naming an algorithm. Published samples often have a byte or two
    # damaged by hand-editing, so the test is on the decoded bytes rather than a strict parse.
    if not (header.startswith(b'{') and header.rstrip().endswith(b'}') and b'"alg"' in header):
        return 'header is not a JOSE header'
    if _ALG_NONE.search(header.decode('latin-1')) or not signature:
        return 'unsigned token'
    return None


def _key_body_noise(match: re.Match[str], text: str) -> str | None:
    body = _BODY_BREAK.sub('', match['value'])
    if len(body) < 40 or shannon_entropy(body) < 4.0:
        return 'no key material (a placeholder or a truncated sample)'
    return None


def _service_account_noise(match: re.Match[str], text: str) -> str | None:
    return None if 'client_email' in text else 'no client_email: not a service-account file'


def _putty_noise(match: re.Match[str], text: str) -> str | None:
    return None if 'PuTTY-User-Key-File' in text else 'not a PuTTY key file'


# A fake key body as `Fake` parts: three lines of base64, and the same written into a JSON string.
def _not_an_encoded_private_key(match: re.Match[str], text: str) -> str | None:
    """A base64 PEM block is a private key when its decoded header says so (not a certificate, not a public key)."""
    import binascii

    head = match['value'][:80]
    try:
        decoded = binascii.a2b_base64(head[: len(head) - len(head) % 4])
    except binascii.Error:
        return 'not base64'
    return None if b'PRIVATE KEY' in decoded.split(b'\n', 1)[0] else 'base64 of a certificate or a public key'


_PEM_BODY = ((BASE64, 64), '\n', (BASE64, 64), '\n', (BASE64, 40))
_PEM_BODY_ESCAPED = ((BASE64, 64), '\\n', (BASE64, 64), '\\n', (BASE64, 40))
_BEGIN = join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----')
_END = join('-----END ', 'RSA PRIVATE', ' KEY-----')

RULES = (
    Rule(
        id='gcp-service-account-key',
        category='secret',
        severity='error',
        why='A Google service-account key file: it signs in as the service account with all of its roles.',
        fix=FIX_KEY,
        pattern=r'\\?"private_key\\?"[ \t]*:[ \t]*\\?"(?P<value>-----BEGIN[A-Z ]*PRIVATE KEY-----(?:\\\\?n|[A-Za-z0-9+/=]){40,})',
        keywords=('private_key',),
        filters=(_service_account_noise, _key_body_noise),
        examples_bad=(
            Fake(
                '{"type": "service_account", "client_email": "svc@proj.iam.gserviceaccount.com", "private_key": "',
                _BEGIN.replace('RSA ', ''),
                '\\n',
                *_PEM_BODY_ESCAPED,
                '\\n-----END',
                '"}',
            ),
        ),
        examples_good=(
            '{"type": "service_account", "client_email": "svc@proj.iam.gserviceaccount.com", "private_key": ""}',
        ),
    ),
    Rule(
        id='private-key',
        category='secret',
        severity='error',
        why='A private key: whoever holds it can impersonate the host, user or service that trusts it.',
        fix=FIX_KEY,
        pattern=r'-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----' + _ARMOUR_HEADERS + _BODY,
        keywords=('private key',),
        filters=(_key_body_noise,),
        examples_bad=(
            Fake(_BEGIN, '\n', *_PEM_BODY, '\n', _END),
            Fake('key = "', _BEGIN.replace('RSA', 'OPENSSH'), '\\n', *_PEM_BODY_ESCAPED, '"'),
        ),
        examples_good=(
            join(_BEGIN, '\n...\n', _END),
            Fake('-----BEGIN PUBLIC KEY-----\n', *_PEM_BODY, '\n-----END PUBLIC KEY-----'),
            Fake('-----BEGIN CERTIFICATE-----\n', *_PEM_BODY, '\n-----END CERTIFICATE-----'),
            'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host',
        ),
    ),
    Rule(
        id='private-key-base64',
        category='secret',
        severity='error',
        why="A private key, base64-encoded whole (a kubeconfig's client-key-data, a Kubernetes TLS Secret's tls.key): "
        'whoever holds it can impersonate the user or host it belongs to.',
        fix=FIX_KEY,
        # `-----BEGIN` in base64 starts `LS0tLS1CRUdJTi`; the filter decodes the header to find PRIVATE KEY.
        pattern=r'(?<![A-Za-z0-9+/])(?P<value>LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,}={0,2})',
        keywords=('ls0tls1crudjti',),
        filters=(_not_an_encoded_private_key,),
        examples_bad=(
            Fake('    client-key-data: ', 'LS0tLS1CRUdJTi', 'BSU0EgUFJJVkFURSBLRVktLS0tLQo', (BASE64, 200)),
            Fake('  tls.key: ', 'LS0tLS1CRUdJTi', 'BQUklWQVRFIEtFWS0tLS0tCk', (BASE64, 200)),
        ),
        examples_good=(
            # base64 of a certificate: public.
            Fake('    client-certificate-data: ', 'LS0tLS1CRUdJTi', 'BDRVJUSUZJQ0FURS0tLS0tCk', (BASE64, 200)),
        ),
    ),
    Rule(
        id='putty-private-key',
        category='secret',
        severity='error',
        why='A PuTTY private key file: it logs in wherever its public half is authorised.',
        fix=FIX_KEY,
        pattern=r'Private-Lines: \d+\r?\n' + _BODY,
        keywords=('private-lines:',),
        filters=(_putty_noise, _key_body_noise),
        examples_bad=(
            Fake(
                'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 2\nAAAA\nPrivate-Lines: 1\n',
                *_PEM_BODY,
                '\nPrivate-MAC: 00',
            ),
        ),
        examples_good=('PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nAAAA\n',),
    ),
    Rule(
        id='jwt',
        category='secret',
        severity='error',
        why='A signed JSON Web Token: until it expires it authenticates as its subject.',
        fix='Revoke the session or rotate the signing key; load tokens at run time, never commit them.',
        pattern=r'(?<![\w-])(?P<value>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)(?![\w-])',
        keywords=('eyj',),
        filters=(_jwt_noise,),
        examples_bad=(
            Fake(
                'Authorization: Bearer ',
                'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
                '.',
                'eyJzdWIiOiJzdmMtZGVwbG95IiwiaWF0IjoxNzAwMDAwMDAwfQ',
                '.',
                (URLSAFE, 43),
            ),
        ),
        examples_good=('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'eyJmb28iOiJiYXIifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'),
    ),
)
