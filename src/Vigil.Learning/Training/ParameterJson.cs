using System.Text.Json;

namespace Vigil.Learning.Training;

/// <summary>How training settings are written into model files and reports: snake_case names, nulls left out.</summary>
internal static class ParameterJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
