using System.Collections.Concurrent;
using Fumidai.Recording.Recorder;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// The live screens of the sessions running in this process, by session id: shared by the SSH side, which adds them, and the
/// console beside it in the same <c>serve</c>, which streams them to viewers. Sessions of other nodes are not here.
/// </summary>
public sealed class LiveScreens
{
    private readonly ConcurrentDictionary<string, LiveScreen> _screens = new(StringComparer.Ordinal);

    /// <summary>Lists the screen until the result is disposed.</summary>
    public IDisposable Add(string sessionId, LiveScreen screen)
    {
        _screens[sessionId] = screen;
        return new Removal(() => _screens.TryRemove(new KeyValuePair<string, LiveScreen>(sessionId, screen)));
    }

    public LiveScreen? Find(string sessionId) => _screens.TryGetValue(sessionId, out var screen) ? screen : null;

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
