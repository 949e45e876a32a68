"""Canonical article URLs: one spelling per page, so copies of a story share a key.

Lower-cased scheme and host, no default port, no fragment, no tracking parameters
(``data/tracking_params.txt``), remaining parameters sorted, AMP variants mapped to the
regular page (/amp/ segment, .amp suffix, ?amp, amp. host, AMP cache), no trailing slash
except for the root path. Only http and https URLs have a canonical form.

Also the registered domain of a link (``www.bbc.co.uk`` -> ``bbc.co.uk``), which names the
outlet of an item whose feed names none: public suffixes of more than one label come from
``data/public_suffixes.txt`` (an offline subset of publicsuffix.org); an outlet's own
shortener counts as its site (``data/link_host_aliases.tsv``: cnn.it is cnn.com); links
through redirectors, shorteners and video or social platforms name no outlet
(``data/link_hosts_without_outlet.txt``).
"""
import fnmatch
import ipaddress
import re
import urllib.parse

from wirewatch.transforms.normalise.resources import data_lines, data_table

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


def _is_public_suffix(labels):
    """True when ``labels`` (e.g. ['co', 'uk']) form a multi-label public suffix."""
    for suffix in data_lines('public_suffixes.txt'):
        wanted = suffix.strip().lower().split('.')
        if len(wanted) != len(labels):
            continue
        if all(w == got or (w == '{cc}' and len(got) == 2 and got.isalpha())
               for w, got in zip(wanted, labels)):
            return True
    return False


def registered_domain(host):
    """The domain an outlet registered: the public suffix plus one label, lower case.

    ``www.bbc.co.uk`` -> ``bbc.co.uk``, ``edition.cnn.com`` -> ``cnn.com``; IP addresses and
    single-label hosts are returned as they are; None for an empty host.
    """
    host = (host or '').strip().lower().rstrip('.')
    if not host:
        return None
    try:
        ipaddress.ip_address(host.strip('[]'))
        return host
    except ValueError:
        pass
    labels = host.split('.')
    keep = 2
    for size in (3, 2):  # the longest multi-label suffix first
        if len(labels) > size and _is_public_suffix(labels[-size:]):
            keep = size + 1
            break
    return '.'.join(labels[-keep:])


def _matches(host, listed):
    return host == listed or host.endswith('.' + listed)


def is_outletless_host(host):
    """True for hosts whose links name no outlet: feed proxies, aggregator redirects, link
    shorteners, video and social platforms (``data/link_hosts_without_outlet.txt``)."""
    host = (host or '').lower().rstrip('.')
    return any(_matches(host, line.strip().lower()) for line in data_lines('link_hosts_without_outlet.txt'))


def _aliased_domain(host):
    """The outlet's domain when ``host`` is the outlet's own shortener (``data/link_host_aliases.tsv``)."""
    for alias, domain in data_table('link_host_aliases.tsv'):
        if _matches(host, alias.strip().lower()):
            return domain.strip().lower()
    return None


def link_domain(url):
    """The registered domain of an http(s) link, or None (no link, another scheme, a host that
    names no outlet)."""
    try:
        parts = urllib.parse.urlsplit((url or '').strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not host:
        return None
    if _AMP_CACHE_HOST.search(host):
        return link_domain(_from_amp_cache(parts.path, parts.query))
    host = host.lower().rstrip('.')
    aliased = _aliased_domain(host)
    if aliased:
        return aliased
    if is_outletless_host(host):
        return None
    return registered_domain(host)
