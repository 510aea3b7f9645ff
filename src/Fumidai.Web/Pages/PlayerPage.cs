using System.Globalization;
using System.Text;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Keyframes;

namespace Fumidai.Web.Pages;

/// <summary>The body of a session's page: its facts, the integrity banner, the player and the command list that seeks it.</summary>
public static class PlayerPage
{
    public static string Body(SessionRecord s, CheckedRecording? read, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> commands,
        bool confirmed, double? startAt, string? segments = null, string? poster = null)
    {
        var html = new StringBuilder();
        html.Append("<dl class=\"facts\">")
            .Append("<dt>User</dt><dd>").Append(Html.E(s.User)).Append("</dd><dt>Target</dt><dd>").Append(Html.E(s.Target)).Append(" as ").Append(Html.E(s.Login))
            .Append("</dd><dt>Kind</dt><dd>").Append(Html.E(s.Kind)).Append(s.Command is null ? "" : ": " + Html.E(s.Command))
            .Append("</dd><dt>Start</dt><dd>").Append(Html.Time(s.Start)).Append("</dd><dt>End</dt><dd>").Append(Html.Time(s.End))
            .Append("</dd><dt>Status</dt><dd id=\"status\">").Append(Html.E(s.Status)).Append(s.EndReason is null ? "" : " (" + Html.E(s.EndReason) + ")")
            .Append("</dd><dt>Bytes in/out</dt><dd>").Append(s.BytesIn.ToString(CultureInfo.InvariantCulture)).Append(" / ")
            .Append(s.BytesOut.ToString(CultureInfo.InvariantCulture)).Append("</dd></dl>");
        if (read is null)
        {
            html.Append("<p class=\"info\">This session has no recording.</p>");
            return html.Append(Commands(s, commands, playable: false)).ToString();
        }
        string suffix = confirmed ? "?unverified=1" : "";
        switch (read.Trust)
        {
            case RecordingTrust.Verified:
                html.Append("<p class=\"verified\" id=\"verification\">Recording verified: the signed manifest and its chain check, and every chunk is checked against them as it is read.</p>");
                break;
            case RecordingTrust.InProgress:
                html.Append("<p class=\"warning\" id=\"verification\">The session is still running: its recording is not signed yet and cannot be verified.</p>");
                break;
            default:
                html.Append("<div class=\"banner\" id=\"banner\" role=\"alert\"><strong>This recording does not verify: ").Append(Html.E(read.Problem))
                    .Append(".</strong> It may have been altered.");
                if (!confirmed)
                    html.Append(" <a id=\"read-anyway\" href=\"/sessions/").Append(Html.E(s.Id)).Append("?unverified=1\">Play it anyway (audited)</a>");
                html.Append("</div>");
                break;
        }
        bool playable = read.Content is not null || segments is not null;
        if (playable)
        {
            // A verified recording plays in windows fetched as it plays or seeks; any other is read whole.
            // The player starts hidden under the server-drawn first frame, laid out at its real width, and replaces it once drawn.
            html.Append("<div class=\"player-row\"><div class=\"player-frame\">").Append(poster ?? "")
                .Append("<div id=\"player\"").Append(poster is null ? "" : " class=\"starting\"").Append(' ');
            if (segments is not null) html.Append("data-segments=\"").Append(Html.E(segments)).Append('"');
            else html.Append("data-cast=\"/sessions/").Append(Html.E(s.Id)).Append("/cast").Append(suffix).Append('"');
            if (startAt is { } t) html.Append(" data-start=\"").Append(t.ToString("0.###", CultureInfo.InvariantCulture)).Append('"');
            html.Append("></div></div>").Append(Commands(s, commands, playable)).Append("</div>");
            html.Append("<p class=\"downloads\">Download: <a id=\"download-cast\" href=\"/sessions/").Append(Html.E(s.Id)).Append("/cast?download=1")
                .Append(confirmed ? "&amp;unverified=1" : "").Append("\">.cast</a> · <a id=\"download-transcript\" href=\"/sessions/").Append(Html.E(s.Id))
                .Append("/transcript").Append(suffix).Append("\">transcript</a> · <a id=\"download-commands\" href=\"/sessions/").Append(Html.E(s.Id))
                .Append("/commands.json").Append(suffix).Append("\">commands (JSON)</a></p>");
        }
        return html.ToString();
    }

    /// <summary>
    /// Links that fetch the segment index and the window the player opens at while the player's scripts load and compile (most of
    /// the time to the first frame on a loaded machine); the player's own requests are then answered from them.
    /// </summary>
    /// <remarks><c>crossorigin</c> makes them same-origin CORS requests with cookies, as the player's <c>fetch</c> is, or it would not use them.</remarks>
    public static string Preloads(SessionRecord s, RecordingIndex index, double? startAt)
    {
        int window = index.WindowAt(startAt is { } t ? (long)Math.Min(t * 1_000_000, index.Duration) : 0);
        string prefix = "/sessions/" + Html.E(s.Id) + "/segments";
        return $"<link rel=\"preload\" href=\"{prefix}.json\" as=\"fetch\" crossorigin>"
            + $"<link rel=\"preload\" href=\"{prefix}/{window.ToString(CultureInfo.InvariantCulture)}\" as=\"fetch\" crossorigin>";
    }

    private static string Commands(SessionRecord s, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> commands, bool playable)
    {
        var html = new StringBuilder("<aside class=\"commands\"><h2>Commands</h2><ol id=\"commands\">");
        foreach (var (offset, command, mark) in commands)
        {
            string time = (s.Start + offset).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            html.Append("<li>");
            if (playable)
                html.Append("<a href=\"#\" data-seek=\"").Append(offset.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append("\">");
            html.Append("<time>").Append(time).Append("</time> <code>").Append(Html.E(command)).Append("</code>");
            if (mark is not null) html.Append(" <em>(").Append(Html.E(mark)).Append(")</em>");
            if (playable) html.Append("</a>");
            html.Append("</li>");
        }
        if (commands.Count == 0) html.Append("<li class=\"none\">no commands</li>");
        return html.Append("</ol></aside>").ToString();
    }
}
