// The recipients list of the drafting form: type to filter the organisation tree (accents
// ignored, as the server's search folds them), and a count of the agencies ticked.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
  }
  document.querySelectorAll("[data-recipient-filter]").forEach(function (input) {
    var tree = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById(input.dataset.recipientStatus);
    if (!tree) { return; }
    var items = Array.prototype.slice.call(tree.querySelectorAll("[data-search]"));
    function count() {
      if (!status) { return; }
      var ticked = tree.querySelectorAll("input[type=checkbox]:checked").length;
      status.textContent = status.dataset.template.replace("%(n)s", ticked);
    }
    input.addEventListener("input", function () {
      var words = fold(input.value).split(" ").filter(Boolean);
      items.forEach(function (item) {
        var text = item.dataset.search;
        var checked = item.querySelector("input:checked");
        item.hidden = !checked && !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
    tree.addEventListener("change", count);
    count();
  });
})();
