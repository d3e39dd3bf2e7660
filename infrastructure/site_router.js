// CloudFront Function (cloudfront-js-2.0, viewer request) on the site's default behaviour.
// It picks the reader's language as the app does (portal/app.py select_language: the `lang`
// cookie the footer's menu sets, else the best offered language of Accept-Language, as
// werkzeug's LanguageAccept.best_match chooses it, else English) and rewrites the URI to the
// built file in that language's folder: "/faq" -> "/es/faq/index.html". CloudFront caches
// under the rewritten URI, so the languages never mix in its cache. It sets no cookie.
// infrastructure/template.yaml holds a copy of this file (a test keeps them equal).

var LANGUAGES = ["en", "es"]; // portal.i18n.LANGUAGES, in its order
var DEFAULT_LANGUAGE = "en";
var LANGUAGE_COOKIE = "lang";
var Q_VALUE = /^-?\d+(\.\d+)?$/;
var PARAMETER = /^([\w!#$%&'*+\-.^`|~]+)=(.*)$/;

function offered(code) {
    return LANGUAGES.indexOf(code) >= 0;
}

// Accept-Language's items, each [tag, quality], as werkzeug parses and sorts them:
// items with an invalid q are dropped; the most specific (not "*") and then the best
// quality first, ties in the header's order.
function acceptItems(header) {
    var items = [];
    header.split(",").forEach(function (part) {
        var pieces = part.split(";");
        var tag = pieces[0].replace(/^[ \t]+|[ \t]+$/g, "");
        if (tag.charAt(0) === '"' && tag.charAt(tag.length - 1) === '"' && tag.length > 1) {
            tag = tag.slice(1, -1);
        }
        if (!tag) {
            return;
        }
        var quality = 1;
        var others = [];
        for (var i = 1; i < pieces.length; i++) {
            var found = PARAMETER.exec(pieces[i].replace(/^[ \t]+|[ \t]+$/g, ""));
            if (!found) {
                continue;
            }
            var value = found[2].replace(/^"(.*)"$/, "$1");
            if (found[1].toLowerCase() !== "q") {
                others.push(found[1].toLowerCase() + "=" + value);
                continue;
            }
            value = value.replace(/^[ \t]+|[ \t]+$/g, "");
            if (!Q_VALUE.test(value) || Number(value) < 0 || Number(value) > 1) {
                return; // werkzeug skips an item whose q is invalid
            }
            quality = Number(value);
        }
        // Other parameters stay in the item, as werkzeug keeps them: it then matches nothing.
        items.push([[tag].concat(others).join("; "), quality]);
    });
    return sortItems(items);
}

function sortItems(items) {
    var order = items.map(function (item, index) {
        return [item, index];
    });
    order.sort(function (a, b) {
        var specific = (b[0][0] !== "*") - (a[0][0] !== "*");
        if (specific) {
            return specific;
        }
        return b[0][1] - a[0][1] || a[1] - b[1];
    });
    return order.map(function (pair) {
        return pair[0];
    });
}

// werkzeug's Accept.best_match over the offered languages, with `matches(offered, item)`.
function bestMatch(items, matches) {
    var result = null;
    var bestQuality = -1;
    var bestSpecificity = -1;
    LANGUAGES.forEach(function (language) {
        for (var i = 0; i < items.length; i++) {
            if (items[i][0] === "*" || matches(language, items[i][0])) {
                var quality = items[i][1];
                var specificity = items[i][0] !== "*" ? 1 : 0;
                if (quality <= 0 || quality < bestQuality) {
                    return;
                }
                if (quality > bestQuality || specificity > bestSpecificity) {
                    result = language;
                    bestQuality = quality;
                    bestSpecificity = specificity;
                }
                return;
            }
        }
    });
    return result;
}

function browserLanguage(header) {
    var items = acceptItems(header);
    // An exact match first ("es", "ES"; tags compared with "-" and "_" alike)...
    var exact = bestMatch(items, function (language, tag) {
        return tag.toLowerCase().split(/[_-]/).join("-") === language;
    });
    if (exact) {
        return exact;
    }
    // ...then each item by its primary subtag: "es-MX" offers "es".
    var primary = sortItems(
        items.map(function (item) {
            return [item[0].split(/[_-]/)[0], item[1]];
        })
    );
    return bestMatch(primary, function (language, tag) {
        return tag.toLowerCase() === language;
    });
}

function language(request) {
    var cookie = request.cookies && request.cookies[LANGUAGE_COOKIE];
    if (cookie && offered(cookie.value)) {
        return cookie.value;
    }
    var header = request.headers && request.headers["accept-language"];
    if (header) {
        var value = header.multiValue
            ? header.multiValue
                  .map(function (h) {
                      return h.value;
                  })
                  .join(", ")
            : header.value;
        return browserLanguage(value) || DEFAULT_LANGUAGE;
    }
    return DEFAULT_LANGUAGE;
}

// The built file for a viewer path: "/" -> "index.html", "/faq" and "/faq/" ->
// "faq/index.html", "/robots.txt" stays a file; under the language's folder unless the
// path names one already ("/en/404.html").
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var segments = uri.split("/");
    var first = segments[1];
    var last = segments[segments.length - 1];
    var file = uri;
    if (last === "") {
        file = uri + "index.html";
    } else if (last.indexOf(".") < 0) {
        file = uri + "/index.html";
    }
    if (!(offered(first) && segments.length > 2)) {
        file = "/" + language(request) + file;
    }
    request.uri = file;
    return request;
}
