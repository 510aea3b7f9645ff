namespace Fumidai.Recording.Terminal;

/// <summary>Told about the screen events a transcript or command extractor must see before the screen changes.</summary>
internal interface IScreenObserver
{
    /// <summary>The top line of the normal screen is about to scroll off (it is recycled right after the call).</summary>
    void LineScrolledOff(ScreenLine line);

    /// <summary>The whole normal screen is about to be erased (ED 2, or ED 0 from the home position, as <c>clear</c> does).</summary>
    void ScreenErasing();

    /// <summary>A line feed (LF, VT, FF, IND, NEL) or a cursor-down (CUD, VPR) is about to move the cursor down.</summary>
    void LineFeeding();

    /// <summary>The alternate screen is about to be entered (<paramref name="entering"/>) or was just left.</summary>
    void AlternateScreenSwitching(bool entering);
}
