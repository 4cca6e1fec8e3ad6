// Forms that change something hard to undo ask first: a form with data-confirm shows its text
// in the browser's own dialog and is sent only on "OK". Delegated from the document, so the
// desk's live part, redrawn on each queue change, keeps it.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
