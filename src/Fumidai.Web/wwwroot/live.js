// Starts asciinema-player on a live view, fed by the session's server-sent events; no inline script: the stream URL comes
// from a data attribute. No buffering: what the session prints shows as soon as it arrives.
(function () {
  "use strict";
  var element = document.getElementById("live-player");
  if (!element || !window.AsciinemaPlayer) return;
  var player = window.AsciinemaPlayer.create({ driver: "eventsource", url: element.dataset.stream, bufferTime: 0 }, element,
    { fit: "width", autoPlay: true, terminalFontSize: "small" });
  window.fumidaiLivePlayer = player;
})();
