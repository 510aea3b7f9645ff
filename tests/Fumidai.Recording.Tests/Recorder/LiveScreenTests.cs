using Fumidai.Recording.Recorder;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Tests.Recorders;

/// <summary>The live screen: a late viewer's first frame redraws the screen as it is; frames follow in order; a slow viewer is dropped, not waited for.</summary>
public sealed class LiveScreenTests
{
    [Fact]
    public void A_late_viewer_first_gets_a_snapshot_that_redraws_the_current_screen_and_cursor()
    {
        var live = new LiveScreen(20, 4);
        live.Output(TimeSpan.FromSeconds(1), "first\r\n\u001b[1mbold\u001b[0m line\r\nthird\r\nfourth\r\nfifth");
        using var viewer = live.Watch();
        Assert.True(viewer.Frames.TryRead(out var snapshot));
        Assert.Equal((LiveFrameKind.Screen, 20, 4, TimeSpan.FromSeconds(1)), (snapshot.Kind, snapshot.Columns, snapshot.Rows, snapshot.Time));
        // Replayed on a blank terminal of that size, the snapshot gives the same screen, cursor included.
        var replayed = new TerminalScreen(20, 4);
        replayed.Feed(snapshot.Text);
        Assert.Equal("bold line\nthird\nfourth\nfifth\n", replayed.GetText());
        Assert.Equal((3, 5), (replayed.CursorRow, replayed.CursorColumn));

        live.Output(TimeSpan.FromSeconds(2), "!");
        live.Resize(TimeSpan.FromSeconds(3), 30, 5);
        live.End();
        var rest = new List<LiveFrame>();
        while (viewer.Frames.TryRead(out var frame)) rest.Add(frame);
        Assert.Equal([LiveFrameKind.Output, LiveFrameKind.Resize, LiveFrameKind.End], rest.Select(f => f.Kind));
        Assert.Equal("!", rest[0].Text);
        Assert.Equal((30, 5), (rest[1].Columns, rest[1].Rows));
        Assert.True(viewer.Frames.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public void Utf8_output_gives_the_same_screen_and_frames_as_text()
    {
        const string output = "日本語 \u001b[?1049h\u001b[H\u001b[2J\u001b[44;37m 🙂 notes \u001b[0m\r\n\u001b[31mred\u001b[0m\0\0 text\u001b[2;4H";
        var fromText = new LiveScreen(30, 6);
        var fromBytes = new LiveScreen(30, 6);
        using var textViewer = fromText.Watch();
        using var bytesViewer = fromBytes.Watch();
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(output);
        fromText.Output(TimeSpan.FromSeconds(1), output);
        // Split inside nothing but escape sequences: the recorder only ever hands over whole characters.
        fromBytes.Output(TimeSpan.FromSeconds(1), utf8.AsSpan(0, 20));
        fromBytes.Output(TimeSpan.FromSeconds(1), utf8.AsSpan(20));
        // Viewers get the same snapshot, then the same output (in as many frames as calls).
        Assert.Equal(string.Concat(Texts(textViewer.Frames)), string.Concat(Texts(bytesViewer.Frames)));
        using var lateText = fromText.Watch();
        using var lateBytes = fromBytes.Watch();
        Assert.True(lateText.Frames.TryRead(out var a));
        Assert.True(lateBytes.Frames.TryRead(out var c));
        Assert.Equal(a.Text, c.Text);
        Assert.Equal(a.Time, c.Time);

        static List<string> Texts(System.Threading.Channels.ChannelReader<LiveFrame> frames)
        {
            var texts = new List<string>();
            while (frames.TryRead(out var frame)) texts.Add(frame.Text);
            return texts;
        }
    }

    [Fact]
    public void A_late_viewer_of_a_full_screen_program_sees_its_colours_and_the_alternate_screen_exactly()
    {
        const string output = "$ vim notes\r\n\u001b[?1049h\u001b[H\u001b[2J\u001b[44;37m notes \u001b[0m\r\n\u001b[31mred\u001b[0m text\u001b[2;4H";
        var live = new LiveScreen(30, 6);
        live.Output(TimeSpan.FromSeconds(1), output);
        using var viewer = live.Watch();
        Assert.True(viewer.Frames.TryRead(out var snapshot));
        var expected = new TerminalScreen(30, 6);
        expected.Feed(output);
        var replayed = new TerminalScreen(30, 6);
        replayed.Feed(snapshot.Text);
        Assert.Equal(expected.DescribeState(), replayed.DescribeState());
    }

    [Fact]
    public async Task A_viewer_who_does_not_read_is_dropped_while_the_session_and_other_viewers_go_on()
    {
        var live = new LiveScreen(80, 24);
        using var slow = live.Watch();
        using var fast = live.Watch();
        int read = 0;
        for (int i = 0; i < LiveScreen.ViewerBacklog * 2; i++)
        {
            live.Output(TimeSpan.FromMilliseconds(i), "x");
            while (fast.Frames.TryRead(out _)) read++;
        }
        Assert.Equal(1, live.ViewerCount);
        await Assert.ThrowsAsync<ViewerTooSlowException>(async () =>
        {
            while (await slow.Frames.WaitToReadAsync()) slow.Frames.TryRead(out _);
        });
        Assert.Equal(LiveScreen.ViewerBacklog * 2 + 1, read);
        fast.Dispose();
        Assert.Equal(0, live.ViewerCount);
    }

    [Fact]
    public void Watching_an_ended_session_gives_its_last_screen_and_the_end()
    {
        var live = new LiveScreen(10, 2);
        live.Output(TimeSpan.Zero, "bye");
        live.End();
        live.Output(TimeSpan.FromSeconds(1), "after the end");
        using var viewer = live.Watch();
        Assert.True(viewer.Frames.TryRead(out var snapshot));
        Assert.StartsWith("bye", snapshot.Text);
        Assert.True(viewer.Frames.TryRead(out var end));
        Assert.Equal(LiveFrameKind.End, end.Kind);
        Assert.False(viewer.Frames.TryRead(out _));
    }
}
