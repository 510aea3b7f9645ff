using System.Text.Json;

namespace Fumidai.Gateway.Audit;

/// <summary>One audit event as a JSON line, the same shape the shipper stores (with its place in the hash chain), so an export can be checked like a shipped period.</summary>
public static class AuditJsonLine
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The event's line, without the line feed.</summary>
    public static byte[] Serialize(AuditEvent e) =>
        JsonSerializer.SerializeToUtf8Bytes(new ShippedAuditEvent(e.Sequence, Storage.MetadataStore.Time(e.Time), e.Type, e.User, e.Outcome, e.Source,
            e.Target, e.Details, e.PreviousHash, e.Hash), Json);
}
