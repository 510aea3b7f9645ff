using System.Text;

namespace Fumidai.Recording.Terminal;

// Reading a row back with its renditions, for a renderer that draws the screen itself (the console's first frame).
public sealed partial class TerminalScreen
{
    /// <summary>
    /// Row <paramref name="row"/> as runs of text that share one rendition, left to right; trailing default blanks are left
    /// out, so a blank row has no runs. Wide characters appear once, as in <see cref="GetRowText"/>.
    /// </summary>
    public IReadOnlyList<(string Text, long Rendition)> GetRowRuns(int row)
    {
        var line = _lines[row];
        int end = line.Cells.Length;
        while (end > 0 && (line.Cells[end - 1] is ScreenLine.Blank or ' ') && line.AttributeAt(end - 1) == 0)
            end--;
        var runs = new List<(string, long)>();
        int start = 0;
        var text = new StringBuilder();
        while (start < end)
        {
            long rendition = line.AttributeAt(start);
            int stop = start + 1;
            while (stop < end && line.AttributeAt(stop) == rendition)
                stop++;
            text.Clear();
            line.AppendText(text, start, stop);
            runs.Add((text.ToString(), rendition));
            start = stop;
        }
        return runs;
    }
}
