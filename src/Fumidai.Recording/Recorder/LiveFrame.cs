namespace Fumidai.Recording.Recorder;

/// <summary>What a live viewer receives, in order: the screen as it is when she joins, then output and resizes as recorded, then the end.</summary>
public enum LiveFrameKind
{
    /// <summary>The whole screen: <see cref="LiveFrame.Text"/> redraws it (text and cursor) on a blank terminal of the given size.</summary>
    Screen,
    Output,
    Resize,
    End,
}

/// <summary>One frame of a live view; <see cref="Time"/> is the offset from the recording's start, as in its events.</summary>
public sealed record LiveFrame(LiveFrameKind Kind, TimeSpan Time, string Text = "", int Columns = 0, int Rows = 0);
