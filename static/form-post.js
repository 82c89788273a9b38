// The form_post response page (templates/form_post.html): submits the response to the
// application at once. Without JavaScript the person presses Continue.
(function () {
  'use strict';
  var form = document.getElementById('form-post');
  if (form) {
    form.submit();
  }
})();
