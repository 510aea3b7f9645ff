using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Keyframes = Fumidai.Recording.Keyframes;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;

namespace Fumidai.Gateway.Recordings;

/// <summary>What a session needs from the recording pipeline: a recorder, the store to read back from, and strict mode's state.</summary>
public interface ISessionRecordings
{
    /// <summary>The store recordings end up in (read back to index commands).</summary>
    IObjectStore Store { get; }

    /// <summary>Strict mode: no session runs while its recording cannot be made durable.</summary>
    bool Strict { get; }

    /// <summary>True while strict mode forbids sessions (the store is failing).</summary>
    bool RefusesSessions { get; }

    /// <summary>Completes when a store outage starts (at once if one is in progress).</summary>
    Task WhenOutageAsync();

    /// <summary>A new recorder for one session.</summary>
    SessionRecorder NewRecorder(RecordingDescriptor descriptor, AsciicastHeader header);

    /// <summary>Where the node leaves the keyframes it makes while recording; null: it makes none, the first viewer does.</summary>
    Keyframes.KeyframeCache? Keyframes => null;

    /// <summary>A new recorder whose chunks <paramref name="observer"/> sees as they are sealed.</summary>
    SessionRecorder NewRecorder(RecordingDescriptor descriptor, AsciicastHeader header, IChunkObserver? observer) => NewRecorder(descriptor, header);
}
