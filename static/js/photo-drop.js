/* Drop photos onto the upload area: they go into the form's file input, which works on its own without this. */
(function () {
  "use strict";
  document.querySelectorAll("[data-photo-drop]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var status = zone.querySelector("[data-drop-status]");
    if (!input || typeof DataTransfer === "undefined") { return; }
    zone.classList.add("drop-ready");
    function show() {
      if (status) { status.textContent = status.getAttribute("data-template").replace("{n}", input.files.length); }
    }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("drop-over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("drop-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { files.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) {
        if (file.type.indexOf("image/") === 0) { files.items.add(file); }
      });
      input.files = files.files;
      show();
    });
    input.addEventListener("change", show);
  });
}());
