"""The public site's infrastructure: the bucket, the distribution's routing, its headers, and
the CloudFront Function that picks the language (run with node on recorded events)."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from portal import i18n
from portal.app import CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY, select_language
from tests.conftest import ROOT
from tests.infrastructure.test_template import ZAPPA_SETTINGS, template

ROUTER = ROOT / "infrastructure" / "site_router.js"
HARNESS = ROOT / "tests" / "infrastructure" / "site_router" / "run.js"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS's managed cache policy
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # managed origin request policy
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}


def resources() -> dict[str, Any]:
    found: dict[str, Any] = template()["Resources"]
    return found


def distribution() -> dict[str, Any]:
    config: dict[str, Any] = resources()["SiteDistribution"]["Properties"]["DistributionConfig"]
    return config


def matches(pattern: str, path: str) -> bool:
    """CloudFront's path pattern: `*` any characters (slashes too), `?` one, case-sensitive."""
    expression = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(expression, path) is not None


def behaviour_for(path: str) -> dict[str, Any]:
    """The cache behaviour CloudFront picks for a path: the first pattern that matches."""
    config = distribution()
    for behaviour in config["CacheBehaviors"]:
        if matches(behaviour["PathPattern"], path):
            return dict(behaviour)
    return dict(config["DefaultCacheBehavior"])


# Routing


# The issue's dynamic routes (and the others the app serves but the site does not build),
# each as a path a browser asks for.
DYNAMIC = [
    "/confirm/abc123",
    "/me/tok123",
    "/me/programs/demo",
    "/me/programs/demo/group",
    "/me/programs/demo/matches/m1/meeting/propose",
    "/checkin/tok123",
    "/rate/tok123/5",
    "/choose/r1/tok123/0",
    "/organize",
    "/organize/",
    "/organize/programs/demo/people",
    "/unsubscribe/tok123",
    "/sign-in",
    "/sign-out",
    "/programs/demo/join/mentee",
    "/programs/demo/join/check-your-email",
    "/programs/demo/invited/tok123",
    "/language/es",
]
PAGES = [
    "/",
    "/faq",
    "/faq/",
    "/programs",
    "/programs/",
    "/programs/demo",
    "/programs/demo/agreement",
]


@pytest.mark.parametrize("path", DYNAMIC)
def test_each_dynamic_path_goes_to_the_api_uncached_with_everything_the_app_reads(
    path: str,
) -> None:
    behaviour = behaviour_for(path)
    assert behaviour["TargetOriginId"] == "api"
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert set(behaviour["AllowedMethods"]) == ALL_METHODS
    # Only the viewer's address is added on the way (no language rewrite of the app's paths).
    functions = [a["FunctionARN"]["Fn::GetAtt"][0] for a in behaviour["FunctionAssociations"]]
    assert functions == ["ViewerAddressFunction"]


@pytest.mark.parametrize("path", PAGES)
def test_each_public_page_comes_from_the_bucket_by_way_of_the_language_function(path: str) -> None:
    behaviour = behaviour_for(path)
    assert behaviour["TargetOriginId"] == "pages"
    assert behaviour["CachePolicyId"] == {"Ref": "PagesCachePolicy"}
    (function,) = behaviour["FunctionAssociations"]
    assert function["EventType"] == "viewer-request"
    assert function["FunctionARN"] == {
        "Fn::GetAtt": ["SiteRouterFunction", "FunctionMetadata.FunctionARN"]
    }


def test_every_route_of_the_app_but_the_built_pages_goes_to_the_api(app: Flask) -> None:
    built = {"/", "/<slug>", "/programs/", "/programs/<slug>", "/programs/<slug>/agreement"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule in built or rule.rule.startswith("/dev/"):  # /dev/: local only
            continue
        path = re.sub(
            r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: "0" if "int" in m.group(0) else "x1", rule.rule
        )
        assert behaviour_for(path)["TargetOriginId"] == "api", rule.rule
        checked += 1
    assert checked > 20


def test_the_static_files_go_to_the_api_and_are_kept_long() -> None:
    behaviour = behaviour_for("/static/portal.css")
    assert behaviour["TargetOriginId"] == "api"
    policy = resources()["AssetsCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert behaviour["CachePolicyId"] == {"Ref": "AssetsCachePolicy"}
    # As long as the app says: a year for a current hashed name (portal/assets.py), not at
    # all for one a deploy replaced, which the app answers no-cache.
    assert policy["MinTTL"] == 0
    assert policy["MaxTTL"] >= 365 * 24 * 3600


def test_pages_are_kept_a_minute_at_most_and_keyed_by_the_rewritten_uri_only() -> None:
    policy = resources()["PagesCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert policy["MaxTTL"] <= 60
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}


def test_a_page_the_bucket_lacks_is_answered_by_the_app() -> None:
    """S3 says 403 for a missing key; the origin group then asks the API, whose 404 page
    speaks the reader's language; the app's own 403 and 404 pages are never replaced."""
    config = distribution()
    (group,) = config["OriginGroups"]["Items"]
    assert group["Id"] == "pages"
    assert [m["OriginId"] for m in group["Members"]["Items"]] == ["site-bucket", "api"]
    assert sorted(group["FailoverCriteria"]["StatusCodes"]["Items"]) == [403, 404]
    assert {e["ErrorCode"] for e in config["CustomErrorResponses"]}.isdisjoint({403, 404})
    forwarded = resources()["PagesOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]
    assert forwarded["CookiesConfig"]["Cookies"] == [i18n.LANGUAGE_COOKIE]
    assert forwarded["HeadersConfig"]["Headers"] == ["Accept-Language"]


def test_the_dynamic_patterns_are_the_ones_the_code_names() -> None:
    site = pytest.importorskip("portal.services.site")
    patterns = [b["PathPattern"] for b in distribution()["CacheBehaviors"]]
    assert sorted(patterns) == sorted(site.DYNAMIC_PATTERNS)


# The bucket, its policy, the role


def test_the_bucket_is_private_encrypted_and_versioned() -> None:
    bucket = resources()["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}


def test_only_this_distribution_reads_the_bucket() -> None:
    policy = resources()["SiteBucketPolicy"]["Properties"]["PolicyDocument"]
    (allow,) = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    (source,) = allow["Condition"]["StringEquals"].values()
    assert "${SiteDistribution}" in source["Fn::Sub"]
    (origin,) = [o for o in distribution()["Origins"] if o["Id"] == "site-bucket"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}


def test_the_role_may_publish_the_site_and_invalidate_it() -> None:
    role = resources()["LambdaRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    statements = {s.get("Sid"): s for s in role["Statement"] if "Sid" in s}
    assert set(statements["PublishSite"]["Action"]) == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
    }
    assert statements["PublishSite"]["Resource"] == {"Fn::Sub": "${SiteBucket.Arn}/*"}
    assert statements["ListSite"]["Action"] == "s3:ListBucket"
    (conditional,) = [s for s in role["Statement"] if "Fn::If" in s]
    condition, invalidate, _ = conditional["Fn::If"]
    assert condition == "HasSite"
    assert invalidate["Action"] == "cloudfront:CreateInvalidation"
    assert "distribution/${SiteDistribution}" in invalidate["Resource"]["Fn::Sub"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_zappa_settings_name_the_stacks_bucket(stage: str) -> None:
    env = {**ZAPPA_SETTINGS["dev"], **ZAPPA_SETTINGS[stage]}["environment_variables"]
    name = resources()["SiteBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    assert env["PORTAL_SITE_BUCKET"] == name.replace("${Stage}", stage).replace(
        "${AWS::AccountId}", "123456789012"
    )
    assert "PORTAL_SITE_DISTRIBUTION" in env


def test_the_custom_domain_is_optional_and_needs_its_certificate() -> None:
    loaded = template()
    config = distribution()
    assert config["Aliases"] == {
        "Fn::If": ["HasSiteDomain", [{"Ref": "SiteDomain"}], {"Ref": "AWS::NoValue"}]
    }
    condition, custom, default = config["ViewerCertificate"]["Fn::If"]
    assert condition == "HasSiteDomain"
    assert custom["AcmCertificateArn"] == {"Ref": "SiteCertificateArn"}
    assert default == {"CloudFrontDefaultCertificate": True}
    rule = loaded["Rules"]["SiteDomainNeedsACertificate"]
    assert rule["Assertions"][0]["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SiteCertificateArn"}, ""]}]
    }


# Headers


def app_headers() -> dict[str, str]:
    """The security headers the app sends over https (portal/app.py)."""
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def policy_headers(name: str) -> dict[str, str]:
    """The headers a response headers policy adds, as a browser receives them."""
    config = resources()[name]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    headers = {
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts["IncludeSubdomains"] else "")
        + ("; preload" if hsts["Preload"] else ""),
        "X-Content-Type-Options": "nosniff" if "ContentTypeOptions" in security else "",
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
    }
    for custom in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[custom["Header"]] = custom["Value"]
    return headers


@pytest.mark.parametrize("policy", ["SecurityHeadersPolicy", "PagesHeadersPolicy"])
def test_the_distribution_sends_the_apps_security_headers(policy: str, client: Any) -> None:
    expected = app_headers()
    sent = client.get("/").headers  # the test app is on http: no HSTS, the rest as on https
    for name in expected.keys() - {"Strict-Transport-Security"}:
        assert sent[name] == expected[name], name
    assert {k: v for k, v in policy_headers(policy).items() if k in expected} == expected


def test_pages_vary_as_the_apps_pages_do(client: Any) -> None:
    sent = client.get("/faq").headers
    assert {v.strip() for v in policy_headers("PagesHeadersPolicy")["Vary"].split(",")} == {
        v.strip() for v in sent["Vary"].split(",")
    }


def test_every_behaviour_adds_the_security_headers() -> None:
    config = distribution()
    for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behaviour["ResponseHeadersPolicyId"]["Ref"] in {
            "SecurityHeadersPolicy",
            "PagesHeadersPolicy",
        }
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"


# The CloudFront Function


def test_the_template_holds_the_function_as_written() -> None:
    function = resources()["SiteRouterFunction"]["Properties"]
    assert function["FunctionCode"] == ROUTER.read_text(encoding="utf-8")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert len(function["FunctionCode"].encode()) <= 10240  # CloudFront's limit


def test_the_function_offers_the_apps_languages() -> None:
    code = ROUTER.read_text(encoding="utf-8")
    assert f"var LANGUAGES = {json.dumps(list(i18n.LANGUAGES))};" in code
    assert f'var DEFAULT_LANGUAGE = "{i18n.DEFAULT_LANGUAGE}";' in code
    assert f'var LANGUAGE_COOKIE = "{i18n.LANGUAGE_COOKIE}";' in code


def viewer_request(
    uri: str, accept_language: str | None = None, cookies: dict[str, str] | None = None
) -> dict[str, Any]:
    """A viewer-request event as CloudFront gives it to a function (cloudfront-js-2.0)."""
    headers = {"host": {"value": "d111111abcdef8.cloudfront.net"}}
    if accept_language is not None:
        headers["accept-language"] = {"value": accept_language}
    return {
        "version": "1.0",
        "context": {"distributionId": "EDFDVBD6EXAMPLE", "eventType": "viewer-request"},
        "viewer": {"ip": "198.51.100.11"},
        "request": {
            "method": "GET",
            "uri": uri,
            "querystring": {},
            "headers": headers,
            "cookies": {name: {"value": value} for name, value in (cookies or {}).items()},
        },
    }


def run_router(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return run_function(ROUTER, events)


def run_function(script: Path, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests a CloudFront Function's file returns for these events, run by node."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run(  # noqa: S603 (node on the repository's own files)
        [node, str(HARNESS), str(script)],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answered: list[dict[str, Any]] = json.loads(done.stdout)
    return answered


@pytest.mark.parametrize(
    ("uri", "accept_language", "cookies", "rewritten"),
    [
        ("/", None, None, "/en/index.html"),  # no preference: English
        ("/faq", "es-ES,es;q=0.9", None, "/es/faq/index.html"),  # a Spanish browser
        ("/faq/", "es-MX", None, "/es/faq/index.html"),  # a region: its language
        (
            "/programs/demo",
            "es",
            {"lang": "en"},
            "/en/programs/demo/index.html",
        ),  # the menu's choice
        ("/programs", "en-GB", {"lang": "es"}, "/es/programs/index.html"),
        ("/", "de-DE,de;q=0.9", None, "/en/index.html"),  # not offered: English
        ("/", "de,es;q=0.5", None, "/es/index.html"),  # the best offered one
        ("/", "en;q=0.3,es;q=0.8", None, "/es/index.html"),  # q-values, not order
        ("/", "es;q=0,en;q=0.1", None, "/en/index.html"),  # q=0: not acceptable
        ("/", "*", None, "/en/index.html"),
        ("/faq", "fr", {"lang": "de"}, "/en/faq/index.html"),  # a cookie not offered: ignored
        ("/en/404.html", "es", None, "/en/404.html"),  # a language's file stays as asked
        ("/es/faq", None, None, "/es/faq/index.html"),
        ("/robots.txt", "es", None, "/es/robots.txt"),  # a file: prefixed only
    ],
)
def test_the_function_rewrites_to_the_built_file_in_the_readers_language(
    uri: str, accept_language: str | None, cookies: dict[str, str] | None, rewritten: str
) -> None:
    (request,) = run_router([viewer_request(uri, accept_language, cookies)])
    assert request["uri"] == rewritten
    assert request["headers"] == viewer_request(uri, accept_language, cookies)["request"]["headers"]


def app_language(accept_language: str, cookie: str | None) -> str:
    """The language portal.app.select_language gives a request with these headers."""
    builder = EnvironBuilder(path="/", headers={"Accept-Language": accept_language})
    if cookie is not None:
        builder.headers["Cookie"] = f"{i18n.LANGUAGE_COOKIE}={cookie}"
    request = Request(builder.get_environ())
    app = Flask(__name__)
    with app.test_request_context(environ_base=request.environ):
        return select_language()


def test_the_function_chooses_as_the_app_does_on_many_browsers() -> None:
    """Differential: random Accept-Language headers and cookies, the function against the app."""
    rng = random.Random(18)
    tags = ["en", "es", "EN", "es-MX", "es_AR", "en-US", "fr", "de-DE", "pt-BR", "*", "zh-Hant-TW"]
    qualities = [
        "",
        ";q=1",
        ";q=0.9",
        ";q=0.5",
        ";q=0",
        ";q=0.50",
        ";q=1.0",
        ";q=2",
        ";Q=0.3",
        "; q=0.7",
    ]
    cases = []
    for _ in range(400):
        header = ", ".join(
            rng.choice(tags) + rng.choice(qualities) for _ in range(rng.randint(1, 4))
        )
        cookie = rng.choice([None, None, "es", "en", "fr", "ES"])
        cases.append((header, cookie))
    events = [
        viewer_request("/faq", header, {"lang": cookie} if cookie else None)
        for header, cookie in cases
    ]
    chosen = [r["uri"].split("/")[1] for r in run_router(events)]
    expected = [app_language(header, cookie) for header, cookie in cases]
    differing = [
        (c, got, want) for c, got, want in zip(cases, chosen, expected, strict=True) if got != want
    ]
    assert differing == []
    assert set(expected) == {"en", "es"}


# The viewer's address, for the app's limits per address


VIEWER_ADDRESS = ROOT / "infrastructure" / "viewer_address.js"


def test_every_behaviour_to_the_app_passes_the_viewers_address() -> None:
    function = resources()["ViewerAddressFunction"]["Properties"]
    assert function["FunctionCode"] == VIEWER_ADDRESS.read_text(encoding="utf-8")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    to_the_app = [b for b in distribution()["CacheBehaviors"] if b["TargetOriginId"] == "api"]
    for behaviour in to_the_app:
        if behaviour["PathPattern"] == "/static/*":
            continue  # files: no limit reads the address
        (association,) = behaviour["FunctionAssociations"]
        assert association["EventType"] == "viewer-request", behaviour["PathPattern"]
        assert association["FunctionARN"] == {
            "Fn::GetAtt": ["ViewerAddressFunction", "FunctionMetadata.FunctionARN"]
        }
    # The app believes that address only with the origin token the distribution adds.
    (api,) = [o for o in distribution()["Origins"] if o["Id"] == "api"]
    assert api["OriginCustomHeaders"] == [
        {"HeaderName": "X-Portal-Origin", "HeaderValue": {"Ref": "OriginToken"}}
    ]
    parameter = template()["Parameters"]["OriginToken"]
    assert parameter["NoEcho"] is True
    rule = template()["Rules"]["TheSiteNeedsTheOriginToken"]
    assert rule["Assertions"][0]["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "OriginToken"}, ""]}]
    }


def test_the_viewers_address_replaces_any_a_client_sent() -> None:
    events = [
        {
            "version": "1.0",
            "viewer": {"ip": "203.0.113.7"},
            "request": {
                "method": "POST",
                "uri": "/programs/demo/join/mentee",
                "querystring": {},
                "headers": {  # forged, in both spellings WSGI would read as one
                    "x-portal-viewer-address": {"value": "10.0.0.1"},
                    "x_portal_viewer_address": {"value": "10.0.0.2"},
                },
                "cookies": {},
            },
        },
        {
            "version": "1.0",
            "viewer": {"ip": "2001:db8::1"},
            "request": {"method": "GET", "uri": "/sign-in", "querystring": {}, "headers": {}},
        },
    ]
    first, second = run_function(VIEWER_ADDRESS, events)
    assert first["headers"] == {"x-portal-viewer-address": {"value": "203.0.113.7"}}
    assert first["uri"] == "/programs/demo/join/mentee"  # nothing else changes
    assert second["headers"]["x-portal-viewer-address"] == {"value": "2001:db8::1"}
