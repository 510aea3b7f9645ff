using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fumidai.Recording.Chunks;

/// <summary>Writes and reads signed manifests: <c>{"format", "manifest": {…}, "signature": {algorithm, keyId, value}}</c>.</summary>
/// <remarks>
/// The signature covers a domain tag and the exact bytes of the <c>manifest</c> member as stored, so verification
/// never depends on re-serialising JSON the same way.
/// </remarks>
public static class ManifestCodec
{
    public const string Format = "fumidai-manifest-v1";
    public const string Algorithm = "ed25519";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serialises and signs <paramref name="manifest"/>.</summary>
    public static byte[] Write(RecordingManifest manifest, IManifestSigner signer)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
        byte[] signature = signer.Sign(SignedData(body));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Json.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WritePropertyName("manifest");
            json.WriteRawValue(body, skipInputValidation: true);
            json.WriteStartObject("signature");
            json.WriteString("algorithm", Algorithm);
            json.WriteString("keyId", signer.KeyId);
            json.WriteString("value", Convert.ToBase64String(signature));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Parses a stored manifest without checking the signature; throws <see cref="InvalidDataException"/> when malformed.</summary>
    public static SignedManifest Read(ReadOnlySpan<byte> stored)
    {
        try
        {
            using var document = JsonDocument.Parse(stored.ToArray());
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format) throw new InvalidDataException("unknown manifest format");
            var body = root.GetProperty("manifest");
            byte[] bodyBytes = Encoding.UTF8.GetBytes(body.GetRawText());
            var manifest = body.Deserialize<RecordingManifest>(Json) ?? throw new InvalidDataException("empty manifest");
            var signature = root.GetProperty("signature");
            return new SignedManifest(manifest, bodyBytes, signature.GetProperty("algorithm").GetString() ?? "",
                signature.GetProperty("keyId").GetString() ?? "", Convert.FromBase64String(signature.GetProperty("value").GetString() ?? ""));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException("malformed manifest: " + ex.Message, ex);
        }
    }

    /// <summary>What the signature covers: a domain tag (the audit key may sign other things) and the body bytes.</summary>
    internal static byte[] SignedData(ReadOnlySpan<byte> body)
    {
        byte[] tag = Encoding.ASCII.GetBytes(Format + "\n");
        byte[] data = new byte[tag.Length + body.Length];
        tag.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(tag.Length));
        return data;
    }
}
