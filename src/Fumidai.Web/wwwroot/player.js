// Starts asciinema-player on the session page and lets each command in the list seek to its time. No inline script:
// the cast URL and start time come from data attributes.
(function () {
  "use strict";
  var element = document.getElementById("player");
  if (!element || !window.AsciinemaPlayer) return;
  var start = element.dataset.start ? parseFloat(element.dataset.start) : undefined;
  var options = { fit: "width", preload: true, idleTimeLimit: 2, terminalFontSize: "small" };
  if (start !== undefined) options.startAt = start;
  var player = window.AsciinemaPlayer.create(element.dataset.cast, element, options);
  window.fumidaiPlayer = player;
  document.querySelectorAll("#commands a[data-seek]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var at = parseFloat(link.dataset.seek);
      Promise.resolve(player.seek(at)).then(function () {
        document.querySelectorAll("#commands a.current").forEach(function (a) { a.classList.remove("current"); });
        link.classList.add("current");
        element.dataset.seeked = String(at);
      });
    });
  });
})();
