// CloudFront Function (cloudfront-js-2.0, viewer request) on the behaviours that go to the
// app. Behind CloudFront, API Gateway's source address is a CloudFront server's, shared by
// many visitors: the app's limits on sign-ups and sign-in links per address would count
// them as one. So the viewer's own address is written here into X-Portal-Viewer-Address,
// replacing any a client sent. The app believes it only on a request that also carries the
// origin token the distribution adds (X-Portal-Origin, the stack's OriginToken), which a
// client calling the API directly cannot know (portal/web/__init__.py source_address).
// A header spelled with underscores reaches the app under the same name (WSGI turns both
// into HTTP_X_PORTAL_VIEWER_ADDRESS), so every spelling a client sent is removed first.
function handler(event) {
  var request = event.request;
  var names = Object.keys(request.headers);
  for (var i = 0; i < names.length; i++) {
    if (names[i].toLowerCase().replace(/_/g, '-') === 'x-portal-viewer-address') {
      delete request.headers[names[i]];
    }
  }
  request.headers['x-portal-viewer-address'] = { value: event.viewer.ip };
  return request;
}
