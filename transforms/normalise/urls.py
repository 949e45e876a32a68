"""Canonical article URLs: one spelling per page, so copies of a story share a key.

Lower-cased scheme and host, no default port, no fragment, no tracking parameters
(``data/tracking_params.txt``), remaining parameters sorted, AMP variants mapped to the
regular page (/amp/ segment, .amp suffix, ?amp, amp. host, AMP cache), no trailing slash
except for the root path. Only http and https URLs have a canonical form.
"""
import fnmatch
import re
import urllib.parse

from wirewatch.transforms.normalise.resources import data_lines

DEFAULT_PORTS = {'http': 80, 'https': 443}
_AMP_PARAMS = {'amp', 'outputtype', 'amp_js_v', 'usqp'}
_AMP_CACHE_HOST = re.compile(r'\.cdn\.ampproject\.org$')


def _is_tracking(name):
    name = name.lower()
    if name.startswith('amp;'):
        name = name[4:]
    return any(fnmatch.fnmatchcase(name, p.strip().lower()) for p in data_lines('tracking_params.txt'))


def _is_amp_param(name, value):
    name = name.lower()
    if name == 'outputtype':
        return value.lower() == 'amp'
    return name in _AMP_PARAMS


def canonical_url(url):
    """The canonical form of an http(s) URL, or None when ``url`` is not an absolute http(s) URL."""
    if not url:
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip('.')
        port = parts.port
    except ValueError:
        return None
    path = parts.path or '/'
    if _AMP_CACHE_HOST.search(host):
        return _from_amp_cache(path, parts.query)
    if host.startswith('amp.'):
        host = host[4:]
    path = _without_amp(path)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not _is_tracking(k) and not _is_amp_param(k, v)]
    query.sort()
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f'{host}:{port}'
    if parts.username:
        netloc = f'{parts.username}@{netloc}'
    if path != '/' and path.endswith('/'):
        path = path.rstrip('/') or '/'
    return urllib.parse.urlunsplit((scheme, netloc, path, urllib.parse.urlencode(query), ''))


def _without_amp(path):
    path = re.sub(r'/amp(?=/|$)', '', path, flags=re.IGNORECASE) or '/'
    path = re.sub(r'\.amp(?=\.html?$|$)', '', path, flags=re.IGNORECASE)
    path = re.sub(r'[-_]amp(?=\.html?$)', '', path, flags=re.IGNORECASE)
    return path


def _from_amp_cache(path, query):
    """https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a -> https://www.example.com/a"""
    match = re.match(r'^/[a-z]+(?P<secure>/s)?/(?P<rest>.+)$', path)
    if not match:
        return None
    scheme = 'https' if match.group('secure') else 'http'
    return canonical_url(f'{scheme}://{match.group("rest")}' + (f'?{query}' if query else ''))
