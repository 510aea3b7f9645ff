// Starts asciinema-player on the session page and lets each command in the list seek to its time. No inline script:
// the recording's URL and start time come from data attributes. A verified recording is played in segments (one window of one
// chunk each, fetched as it plays or seeks); any other is loaded whole.
(function () {
  "use strict";
  var element = document.getElementById("player");
  if (!element || !window.AsciinemaPlayer) return;
  var start = element.dataset.start ? parseFloat(element.dataset.start) : undefined;
  var options = { fit: "width", preload: true, terminalFontSize: "small" };
  var source = element.dataset.cast;
  if (element.dataset.segments) source = { url: element.dataset.segments, format: "segmented" };
  else options.idleTimeLimit = 2;
  if (start !== undefined) options.startAt = start;
  var player = window.AsciinemaPlayer.create(source, element, options);
  window.fumidaiPlayer = player;
  // The server drew the first frame; the player, laid out hidden beneath it, takes its place once it has drawn the same
  // screen (two frames after, so its terminal is painted), or at once when it fails.
  var poster = document.getElementById("poster");
  function reveal() {
    if (!poster) return;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        if (poster) poster.remove();
        poster = null;
        element.classList.remove("starting");
      });
    });
  }
  player.addEventListener("error", reveal);
  // Opened at a time (a search hit, a shared link): show the screen of that time at once, not a blank one until play.
  if (start !== undefined) Promise.resolve(player.seek(start)).then(reveal, reveal);
  else player.addEventListener("metadata", reveal);
  player.addEventListener("play", reveal);
  player.addEventListener("seeked", reveal);
  if (element.dataset.segments) {
    // A segment refused because its chunk no longer matches the signed manifest: say so where the verified line was.
    player.addEventListener("error", function () {
      fetch(element.dataset.segments, { credentials: "same-origin" }).then(function (response) {
        if (response.status !== 409) return;
        return response.text().then(function (text) {
          var banner = document.createElement("div");
          banner.className = "banner";
          banner.id = "banner";
          banner.setAttribute("role", "alert");
          banner.textContent = "This recording does not verify: " + text + " Reload the page to see the bad piece.";
          var verified = document.getElementById("verification");
          if (verified) verified.replaceWith(banner); else element.before(banner);
        });
      });
    });
  }
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
