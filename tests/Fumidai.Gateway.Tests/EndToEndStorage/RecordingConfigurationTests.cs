using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>The <c>Recording:S3:*</c> keys from fumidai.json and FUMIDAI__ variables, and invalid values named by key and line.</summary>
[Collection(StorageEndToEnd.Collection)]
public sealed class RecordingConfigurationTests
{
    [Fact]
    public void S3_keys_are_read_from_the_file()
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, """
            {
              "Recording": {
                "Store": "s3",
                "Mode": "strict",
                "S3": {
                  "Bucket": "acme-fumidai", "Prefix": "prod", "Region": "eu-west-1", "ServiceUrl": "http://127.0.0.1:9000",
                  "ForcePathStyle": true, "ServerSideEncryption": "aws:kms", "KmsKeyId": "arn:aws:kms:eu-west-1:1:key/x",
                  "ObjectLockMode": "COMPLIANCE", "ObjectLockDays": 400
                }
              }
            }
            """);
        var r = ConfigurationLoader.Load(path).Recording;
        Assert.Equal(("s3", true), (r.Store, r.IsStrict));
        Assert.Equal(("acme-fumidai", "prod", "eu-west-1", "http://127.0.0.1:9000", true), (r.S3.Bucket, r.S3.Prefix, r.S3.Region, r.S3.ServiceUrl, r.S3.ForcePathStyle));
        Assert.Equal(("aws:kms", "arn:aws:kms:eu-west-1:1:key/x", "COMPLIANCE", 400), (r.S3.ServerSideEncryption, r.S3.KmsKeyId, r.S3.ObjectLockMode, r.S3.ObjectLockDays));
    }

    [Fact]
    public void The_bucket_comes_from_FUMIDAI__Recording__S3__Bucket()
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, """{ "Recording": { "Store": "s3", "S3": { "Region": "eu-west-1" } } }""");
        // A name no other test uses: configuration is read from the whole process environment.
        const string variable = "FUMIDAI__Recording__S3__Bucket";
        Environment.SetEnvironmentVariable(variable, "from-environment");
        try
        {
            Assert.Equal("from-environment", ConfigurationLoader.Load(path).Recording.S3.Bucket);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Invalid_S3_values_are_named_with_their_key_and_line()
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, """
            {
              "Recording": {
                "Store": "s3",
                "S3": {
                  "Bucket": "",
                  "ServerSideEncryption": "AES128",
                  "ObjectLockMode": "FOREVER"
                }
              }
            }
            """);
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path)).Message;
        Assert.Contains($"{path}:5: Recording:S3:Bucket is required", error);
        Assert.Contains($"{path}:6: Recording:S3:ServerSideEncryption = 'AES128' must be AES256 or aws:kms", error);
        Assert.Contains($"{path}:7: Recording:S3:ObjectLockMode = 'FOREVER' must be GOVERNANCE or COMPLIANCE", error);
    }

    [Fact]
    public void S3_keys_are_not_checked_with_the_file_store()
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, """{ "Recording": { "Store": "file", "S3": { "ServerSideEncryption": "AES128" } } }""");
        Assert.Equal("file", ConfigurationLoader.Load(path).Recording.Store);
    }

    private static string Write(TempDirectory dir, string json)
    {
        string path = dir.Combine("fumidai.json");
        File.WriteAllText(path, json);
        return path;
    }
}
