using NJsonSchema;
using NJsonSchema.Validation;

namespace Platform.Deployment.Tests;

/// <summary>
/// Small JSON schemas of the custom kinds under k8s/ (and of skaffold.yaml), written from each project's own
/// reference documentation: Dapr's Component, Resiliency and Configuration specs, Strimzi's KafkaTopic, the
/// kustomize Kustomization and the skaffold v4beta11 config. They close every object with
/// additionalProperties false, so a misspelt field name fails here instead of being ignored (or pruned) by a
/// cluster. They check names and types, not everything the real CRDs would.
/// </summary>
internal static class ClusterSchemas
{
    private static readonly Dictionary<string, Lazy<JsonSchema>> ByKind = new(StringComparer.Ordinal)
    {
        ["dapr.io/v1alpha1/Component"] = Load(Component),
        ["dapr.io/v1alpha1/Resiliency"] = Load(Resiliency),
        ["dapr.io/v1alpha1/Configuration"] = Load(Configuration),
        ["kafka.strimzi.io/v1beta2/KafkaTopic"] = Load(KafkaTopic),
        ["kustomize.config.k8s.io/v1beta1/Kustomization"] = Load(Kustomization),
        ["skaffold/v4beta11/Config"] = Load(SkaffoldConfig),
    };

    public static IReadOnlyCollection<string> Kinds => ByKind.Keys;

    public static JsonSchema? For(string? apiVersion, string? kind) =>
        ByKind.TryGetValue($"{apiVersion}/{kind}", out var schema) ? schema.Value : null;

    /// <summary>Every violation as "path: kind", nested oneOf/anyOf failures flattened, empty when valid.</summary>
    public static IReadOnlyList<string> Violations(JsonSchema schema, string json) =>
        schema.Validate(json).SelectMany(Flatten).Distinct().ToList();

    private static IEnumerable<string> Flatten(ValidationError error)
    {
        var here = $"{(string.IsNullOrEmpty(error.Path) ? "#" : error.Path)}: {error.Kind}{(error.Property is null ? "" : $" '{error.Property}'")}";
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            return child.Errors.Values.SelectMany(e => e).SelectMany(Flatten).Prepend(here);
        }

        return [here];
    }

    private static Lazy<JsonSchema> Load(string json) => new(() => JsonSchema.FromJsonAsync(json).GetAwaiter().GetResult());

    // Metadata names each Dapr component type documents (docs.dapr.io, "Apache Kafka" pub/sub and "Redis" state
    // store pages, plus the settings every pub/sub or state store accepts). A name outside the list is a typo that
    // Dapr would ignore without a word.
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> ComponentMetadataNames =
        new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
        {
            ["pubsub.kafka"] = new HashSet<string>(StringComparer.Ordinal)
            {
                "brokers", "consumerGroup", "consumerID", "clientID", "authRequired", "authType", "saslUsername",
                "saslPassword", "saslMechanism", "initialOffset", "maxMessageBytes", "consumeRetryEnabled",
                "consumeRetryInterval", "version", "caCert", "clientCert", "clientKey", "skipVerify", "disableTls",
                "oidcTokenEndpoint", "oidcClientID", "oidcClientSecret", "oidcScopes", "oidcExtensions", "awsRegion",
                "awsAccessKey", "awsSecretKey", "awsSessionToken", "awsIamRoleArn", "awsStsSessionName",
                "schemaRegistryURL", "schemaRegistryAPIKey", "schemaRegistryAPISecret", "schemaCachingEnabled",
                "schemaLatestVersionCacheTTL", "clientConnectionTopicMetadataRefreshInterval",
                "clientConnectionKeepAliveInterval", "consumerFetchMin", "consumerFetchDefault", "channelBufferSize",
                "heartbeatInterval", "sessionTimeout", "escapeHeaders", "excludeHeaderMetaRegex", "compression",
                "publishingScopes", "subscriptionScopes", "allowedTopics", "protectedTopics",
            },
            ["state.redis"] = new HashSet<string>(StringComparer.Ordinal)
            {
                "redisHost", "redisPassword", "redisUsername", "useEntraID", "enableTLS", "clientCert", "clientKey",
                "maxRetries", "maxRetryBackoff", "failover", "sentinelMasterName", "sentinelUsername",
                "sentinelPassword", "redeliverInterval", "processingTimeout", "redisType", "redisDB",
                "redisMaxRetries", "redisMinRetryInterval", "redisMaxRetryInterval", "dialTimeout", "readTimeout",
                "writeTimeout", "poolSize", "poolTimeout", "maxConnAge", "minIdleConns", "idleCheckFrequency",
                "idleTimeout", "ttlInSeconds", "queryIndexes", "actorStateStore", "keyPrefix",
                "outboxPublishPubsub", "outboxPublishTopic", "outboxPubsub", "outboxDiscardWhenMissingState",
            },
        };

    private const string Definitions = """
        "duration": { "type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$" },
        "stringMap": { "type": "object", "additionalProperties": { "type": "string" } },
        "objectMeta": {
          "type": "object",
          "additionalProperties": false,
          "required": ["name"],
          "properties": {
            "name": { "type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253 },
            "namespace": { "type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63 },
            "labels": { "$ref": "#/definitions/stringMap" },
            "annotations": { "$ref": "#/definitions/stringMap" }
          }
        }
        """;

    private const string Component = $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["apiVersion", "kind", "metadata", "spec"],
          "properties": {
            "apiVersion": { "enum": ["dapr.io/v1alpha1"] },
            "kind": { "enum": ["Component"] },
            "metadata": { "$ref": "#/definitions/objectMeta" },
            "spec": {
              "type": "object",
              "additionalProperties": false,
              "required": ["type", "version"],
              "properties": {
                "type": { "type": "string", "pattern": "^[a-z]+\\.[a-z0-9.]+$" },
                "version": { "type": "string", "pattern": "^v[0-9]+$" },
                "ignoreErrors": { "type": "boolean" },
                "initTimeout": { "$ref": "#/definitions/duration" },
                "metadata": { "type": "array", "items": { "$ref": "#/definitions/metadataItem" } }
              }
            },
            "auth": {
              "type": "object",
              "additionalProperties": false,
              "required": ["secretStore"],
              "properties": { "secretStore": { "type": "string" } }
            },
            "scopes": { "type": "array", "uniqueItems": true, "items": { "type": "string" } }
          },
          "definitions": {
            {{Definitions}},
            "metadataItem": {
              "type": "object",
              "additionalProperties": false,
              "required": ["name"],
              "properties": {
                "name": { "type": "string", "minLength": 1 },
                "value": { "type": ["string", "number", "boolean"] },
                "secretKeyRef": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["name", "key"],
                  "properties": { "name": { "type": "string" }, "key": { "type": "string" } }
                }
              },
              "oneOf": [ { "required": ["value"] }, { "required": ["secretKeyRef"] } ]
            }
          }
        }
        """;

    private const string Resiliency = $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["apiVersion", "kind", "metadata", "spec"],
          "properties": {
            "apiVersion": { "enum": ["dapr.io/v1alpha1"] },
            "kind": { "enum": ["Resiliency"] },
            "metadata": { "$ref": "#/definitions/objectMeta" },
            "scopes": { "type": "array", "uniqueItems": true, "items": { "type": "string" } },
            "spec": {
              "type": "object",
              "additionalProperties": false,
              "required": ["policies", "targets"],
              "properties": {
                "policies": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "timeouts": { "type": "object", "additionalProperties": { "$ref": "#/definitions/duration" } },
                    "retries": { "type": "object", "additionalProperties": { "$ref": "#/definitions/retry" } },
                    "circuitBreakers": { "type": "object", "additionalProperties": { "$ref": "#/definitions/circuitBreaker" } }
                  }
                },
                "targets": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "apps": { "type": "object", "additionalProperties": { "$ref": "#/definitions/target" } },
                    "actors": { "type": "object", "additionalProperties": { "$ref": "#/definitions/actorTarget" } },
                    "components": {
                      "type": "object",
                      "additionalProperties": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                          "outbound": { "$ref": "#/definitions/target" },
                          "inbound": { "$ref": "#/definitions/target" }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "definitions": {
            {{Definitions}},
            "retry": {
              "type": "object",
              "additionalProperties": false,
              "required": ["policy"],
              "properties": {
                "policy": { "enum": ["constant", "exponential"] },
                "duration": { "$ref": "#/definitions/duration" },
                "maxInterval": { "$ref": "#/definitions/duration" },
                "maxRetries": { "type": "integer", "minimum": -1 },
                "matching": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "httpStatusCodes": { "type": "string", "pattern": "^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$" },
                    "gRPCStatusCodes": { "type": "string", "pattern": "^[0-9]{1,2}(-[0-9]{1,2})?(,[0-9]{1,2}(-[0-9]{1,2})?)*$" }
                  }
                }
              }
            },
            "circuitBreaker": {
              "type": "object",
              "additionalProperties": false,
              "required": ["trip"],
              "properties": {
                "maxRequests": { "type": "integer", "minimum": 1 },
                "interval": { "$ref": "#/definitions/duration" },
                "timeout": { "$ref": "#/definitions/duration" },
                "trip": { "type": "string", "minLength": 1 }
              }
            },
            "target": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "timeout": { "type": "string" },
                "retry": { "type": "string" },
                "circuitBreaker": { "type": "string" }
              }
            },
            "actorTarget": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "timeout": { "type": "string" },
                "retry": { "type": "string" },
                "circuitBreaker": { "type": "string" },
                "circuitBreakerScope": { "enum": ["type", "id", "both"] },
                "circuitBreakerCacheSize": { "type": "integer", "minimum": 1 }
              }
            }
          }
        }
        """;

    private const string Configuration = $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["apiVersion", "kind", "metadata", "spec"],
          "properties": {
            "apiVersion": { "enum": ["dapr.io/v1alpha1"] },
            "kind": { "enum": ["Configuration"] },
            "metadata": { "$ref": "#/definitions/objectMeta" },
            "spec": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "tracing": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "samplingRate": { "type": "string", "pattern": "^(0(\\.[0-9]+)?|1(\\.0+)?)$" },
                    "stdout": { "type": "boolean" },
                    "otel": {
                      "type": "object",
                      "additionalProperties": false,
                      "required": ["endpointAddress"],
                      "properties": {
                        "endpointAddress": { "type": "string", "minLength": 1 },
                        "isSecure": { "type": "boolean" },
                        "protocol": { "enum": ["grpc", "http"] }
                      }
                    },
                    "zipkin": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": { "endpointAddress": { "type": "string" } }
                    }
                  }
                },
                "metric": { "$ref": "#/definitions/metrics" },
                "metrics": { "$ref": "#/definitions/metrics" },
                "mtls": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "enabled": { "type": "boolean" },
                    "workloadCertTTL": { "$ref": "#/definitions/duration" },
                    "allowedClockSkew": { "$ref": "#/definitions/duration" },
                    "controlPlaneTrustDomain": { "type": "string" },
                    "sentryAddress": { "type": "string" }
                  }
                },
                "accessControl": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "defaultAction": { "$ref": "#/definitions/action" },
                    "trustDomain": { "type": "string" },
                    "policies": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["appId"],
                        "properties": {
                          "appId": { "type": "string" },
                          "defaultAction": { "$ref": "#/definitions/action" },
                          "trustDomain": { "type": "string" },
                          "namespace": { "type": "string" },
                          "operations": {
                            "type": "array",
                            "items": {
                              "type": "object",
                              "additionalProperties": false,
                              "required": ["name"],
                              "properties": {
                                "name": { "type": "string" },
                                "httpVerb": { "type": "array", "items": { "type": "string" } },
                                "action": { "$ref": "#/definitions/action" }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                },
                "secrets": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "scopes": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["storeName"],
                        "properties": {
                          "storeName": { "type": "string" },
                          "defaultAccess": { "$ref": "#/definitions/action" },
                          "allowedSecrets": { "type": "array", "items": { "type": "string" } },
                          "deniedSecrets": { "type": "array", "items": { "type": "string" } }
                        }
                      }
                    }
                  }
                },
                "api": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "allowed": { "$ref": "#/definitions/apiList" },
                    "denied": { "$ref": "#/definitions/apiList" }
                  }
                },
                "httpPipeline": { "$ref": "#/definitions/pipeline" },
                "appHttpPipeline": { "$ref": "#/definitions/pipeline" },
                "nameResolution": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "component": { "type": "string" },
                    "version": { "type": "string" },
                    "configuration": { "type": "object" }
                  }
                },
                "features": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "enabled"],
                    "properties": { "name": { "type": "string" }, "enabled": { "type": "boolean" } }
                  }
                },
                "components": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": { "deny": { "type": "array", "items": { "type": "string" } } }
                },
                "logging": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "apiLogging": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": {
                        "enabled": { "type": "boolean" },
                        "obfuscateURLs": { "type": "boolean" },
                        "omitHealthChecks": { "type": "boolean" }
                      }
                    }
                  }
                }
              }
            }
          },
          "definitions": {
            {{Definitions}},
            "action": { "enum": ["allow", "deny"] },
            "metrics": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "enabled": { "type": "boolean" },
                "recordErrorCodes": { "type": "boolean" },
                "latencyDistributionBuckets": { "type": "array", "items": { "type": "integer", "minimum": 1 } },
                "rules": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name"],
                    "properties": {
                      "name": { "type": "string" },
                      "labels": {
                        "type": "array",
                        "items": {
                          "type": "object",
                          "additionalProperties": false,
                          "required": ["name"],
                          "properties": { "name": { "type": "string" }, "regex": { "$ref": "#/definitions/stringMap" } }
                        }
                      }
                    }
                  }
                },
                "http": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "increasedCardinality": { "type": "boolean" },
                    "pathMatching": { "type": "array", "items": { "type": "string" } },
                    "excludeVerbs": { "type": "boolean" }
                  }
                }
              }
            },
            "apiList": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "version"],
                "properties": {
                  "name": { "type": "string" },
                  "version": { "type": "string" },
                  "protocol": { "enum": ["http", "grpc"] }
                }
              }
            },
            "pipeline": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "handlers": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "type"],
                    "properties": { "name": { "type": "string" }, "type": { "type": "string" } }
                  }
                }
              }
            }
          }
        }
        """;

    // Topic-level configuration names from the Apache Kafka documentation ("Topic Configs"); Strimzi passes
    // spec.config through to the broker, which rejects an unknown name only when the operator reconciles.
    private const string KafkaTopic = $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["apiVersion", "kind", "metadata", "spec"],
          "properties": {
            "apiVersion": { "enum": ["kafka.strimzi.io/v1beta2"] },
            "kind": { "enum": ["KafkaTopic"] },
            "metadata": {
              "allOf": [
                { "$ref": "#/definitions/objectMeta" },
                {
                  "type": "object",
                  "required": ["labels"],
                  "properties": {
                    "labels": { "type": "object", "required": ["strimzi.io/cluster"] }
                  }
                }
              ]
            },
            "spec": {
              "type": "object",
              "additionalProperties": false,
              "required": ["partitions", "replicas"],
              "properties": {
                "topicName": { "type": "string", "pattern": "^[a-zA-Z0-9._-]{1,249}$" },
                "partitions": { "type": "integer", "minimum": 1 },
                "replicas": { "type": "integer", "minimum": 1, "maximum": 32767 },
                "config": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "cleanup.policy": { "type": "string", "pattern": "^(delete|compact|compact,delete|delete,compact)$" },
                    "compression.type": { "enum": ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] },
                    "delete.retention.ms": { "type": "integer", "minimum": 0 },
                    "file.delete.delay.ms": { "type": "integer", "minimum": 0 },
                    "flush.messages": { "type": "integer", "minimum": 1 },
                    "flush.ms": { "type": "integer", "minimum": 0 },
                    "follower.replication.throttled.replicas": { "type": "string" },
                    "index.interval.bytes": { "type": "integer", "minimum": 0 },
                    "leader.replication.throttled.replicas": { "type": "string" },
                    "local.retention.bytes": { "type": "integer", "minimum": -2 },
                    "local.retention.ms": { "type": "integer", "minimum": -2 },
                    "max.compaction.lag.ms": { "type": "integer", "minimum": 1 },
                    "max.message.bytes": { "type": "integer", "minimum": 0 },
                    "message.timestamp.after.max.ms": { "type": "integer", "minimum": 0 },
                    "message.timestamp.before.max.ms": { "type": "integer", "minimum": 0 },
                    "message.timestamp.type": { "enum": ["CreateTime", "LogAppendTime"] },
                    "min.cleanable.dirty.ratio": { "type": "number", "minimum": 0, "maximum": 1 },
                    "min.compaction.lag.ms": { "type": "integer", "minimum": 0 },
                    "min.insync.replicas": { "type": "integer", "minimum": 1 },
                    "preallocate": { "type": "boolean" },
                    "remote.storage.enable": { "type": "boolean" },
                    "retention.bytes": { "type": "integer", "minimum": -1 },
                    "retention.ms": { "type": "integer", "minimum": -1 },
                    "segment.bytes": { "type": "integer", "minimum": 14 },
                    "segment.index.bytes": { "type": "integer", "minimum": 4 },
                    "segment.jitter.ms": { "type": "integer", "minimum": 0 },
                    "segment.ms": { "type": "integer", "minimum": 1 },
                    "unclean.leader.election.enable": { "type": "boolean" }
                  }
                }
              }
            }
          },
          "definitions": {
            {{Definitions}}
          }
        }
        """;

    // kustomize.config.k8s.io/v1beta1 fields from the kustomize reference (kubectl.docs.kubernetes.io), including
    // the deprecated ones still accepted, so an older-style file elsewhere in k8s/ is not refused for its age.
    private const string Kustomization = $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["apiVersion", "kind"],
          "properties": {
            "apiVersion": { "enum": ["kustomize.config.k8s.io/v1beta1"] },
            "kind": { "enum": ["Kustomization"] },
            "metadata": { "$ref": "#/definitions/objectMeta" },
            "resources": { "$ref": "#/definitions/strings" },
            "components": { "$ref": "#/definitions/strings" },
            "bases": { "$ref": "#/definitions/strings" },
            "crds": { "$ref": "#/definitions/strings" },
            "configurations": { "$ref": "#/definitions/strings" },
            "generators": { "$ref": "#/definitions/strings" },
            "transformers": { "$ref": "#/definitions/strings" },
            "validators": { "$ref": "#/definitions/strings" },
            "patchesStrategicMerge": { "$ref": "#/definitions/strings" },
            "namespace": { "type": "string" },
            "namePrefix": { "type": "string" },
            "nameSuffix": { "type": "string" },
            "commonLabels": { "$ref": "#/definitions/stringMap" },
            "commonAnnotations": { "$ref": "#/definitions/stringMap" },
            "labels": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "pairs": { "$ref": "#/definitions/stringMap" },
                  "includeSelectors": { "type": "boolean" },
                  "includeTemplates": { "type": "boolean" },
                  "fields": { "type": "array", "items": { "type": "object" } }
                }
              }
            },
            "patches": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "path": { "type": "string" },
                  "patch": { "type": "string" },
                  "target": { "$ref": "#/definitions/selector" },
                  "options": { "type": "object" }
                }
              }
            },
            "patchesJson6902": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "path": { "type": "string" },
                  "patch": { "type": "string" },
                  "target": { "$ref": "#/definitions/selector" }
                }
              }
            },
            "images": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                  "name": { "type": "string" },
                  "newName": { "type": "string" },
                  "newTag": { "type": "string" },
                  "digest": { "type": "string" }
                }
              }
            },
            "replicas": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "count"],
                "properties": { "name": { "type": "string" }, "count": { "type": "integer", "minimum": 0 } }
              }
            },
            "configMapGenerator": { "type": "array", "items": { "$ref": "#/definitions/generator" } },
            "secretGenerator": { "type": "array", "items": { "$ref": "#/definitions/generator" } },
            "generatorOptions": { "$ref": "#/definitions/generatorOptions" },
            "replacements": { "type": "array", "items": { "type": "object" } },
            "vars": { "type": "array", "items": { "type": "object" } },
            "helmCharts": { "type": "array", "items": { "type": "object" } },
            "helmGlobals": { "type": "object" },
            "openapi": { "type": "object" },
            "buildMetadata": { "$ref": "#/definitions/strings" },
            "sortOptions": { "type": "object" }
          },
          "definitions": {
            {{Definitions}},
            "strings": { "type": "array", "items": { "type": "string", "minLength": 1 } },
            "selector": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "group": { "type": "string" },
                "version": { "type": "string" },
                "kind": { "type": "string" },
                "name": { "type": "string" },
                "namespace": { "type": "string" },
                "labelSelector": { "type": "string" },
                "annotationSelector": { "type": "string" }
              }
            },
            "generatorOptions": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "labels": { "$ref": "#/definitions/stringMap" },
                "annotations": { "$ref": "#/definitions/stringMap" },
                "disableNameSuffixHash": { "type": "boolean" },
                "immutable": { "type": "boolean" }
              }
            },
            "generator": {
              "type": "object",
              "additionalProperties": false,
              "required": ["name"],
              "properties": {
                "name": { "type": "string" },
                "namespace": { "type": "string" },
                "behavior": { "enum": ["create", "replace", "merge"] },
                "files": { "$ref": "#/definitions/strings" },
                "literals": { "$ref": "#/definitions/strings" },
                "envs": { "$ref": "#/definitions/strings" },
                "env": { "type": "string" },
                "type": { "type": "string" },
                "options": { "$ref": "#/definitions/generatorOptions" }
              }
            }
          }
        }
        """;

    // The parts of the skaffold v4beta11 config (pkg/skaffold/schema/v4beta11/config.go) this repository uses or is
    // likely to: artifacts with the docker builder, the helm deployer, requires, profiles with patches.
    private const string SkaffoldConfig = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["apiVersion", "kind", "metadata"],
          "properties": {
            "apiVersion": { "enum": ["skaffold/v4beta11"] },
            "kind": { "enum": ["Config"] },
            "metadata": {
              "type": "object",
              "additionalProperties": false,
              "required": ["name"],
              "properties": {
                "name": { "type": "string", "minLength": 1 },
                "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                "annotations": { "type": "object", "additionalProperties": { "type": "string" } }
              }
            },
            "requires": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "configs": { "type": "array", "items": { "type": "string" } },
                  "path": { "type": "string" },
                  "activeProfiles": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "additionalProperties": false,
                      "required": ["name"],
                      "properties": {
                        "name": { "type": "string" },
                        "activatedBy": { "type": "array", "items": { "type": "string" } }
                      }
                    }
                  }
                }
              }
            },
            "build": { "$ref": "#/definitions/build" },
            "deploy": { "$ref": "#/definitions/deploy" },
            "portForward": { "type": "array", "items": { "type": "object" } },
            "profiles": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                  "name": { "type": "string" },
                  "activation": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": {
                        "env": { "type": "string" },
                        "kubeContext": { "type": "string" },
                        "command": { "type": "string" }
                      }
                    }
                  },
                  "requiresAllActivations": { "type": "boolean" },
                  "patches": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "additionalProperties": false,
                      "required": ["path"],
                      "properties": {
                        "op": { "enum": ["add", "remove", "replace", "move", "copy", "test"] },
                        "path": { "type": "string", "pattern": "^/" },
                        "from": { "type": "string" },
                        "value": {}
                      }
                    }
                  },
                  "build": { "$ref": "#/definitions/build" },
                  "deploy": { "$ref": "#/definitions/deploy" },
                  "portForward": { "type": "array", "items": { "type": "object" } }
                }
              }
            }
          },
          "definitions": {
            "strings": { "type": "array", "items": { "type": "string" } },
            "build": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "artifacts": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["image"],
                    "properties": {
                      "image": { "type": "string" },
                      "context": { "type": "string" },
                      "docker": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                          "dockerfile": { "type": "string" },
                          "target": { "type": "string" },
                          "buildArgs": { "type": "object" },
                          "network": { "type": "string" },
                          "addHost": { "$ref": "#/definitions/strings" },
                          "cacheFrom": { "$ref": "#/definitions/strings" },
                          "cliFlags": { "$ref": "#/definitions/strings" },
                          "pullParent": { "type": "boolean" },
                          "noCache": { "type": "boolean" },
                          "squash": { "type": "boolean" },
                          "secrets": { "type": "array", "items": { "type": "object" } },
                          "ssh": { "type": "string" }
                        }
                      },
                      "platforms": { "$ref": "#/definitions/strings" },
                      "runtimeType": { "type": "string" }
                    }
                  }
                },
                "tagPolicy": { "type": "object" },
                "platforms": { "$ref": "#/definitions/strings" },
                "insecureRegistries": { "$ref": "#/definitions/strings" },
                "local": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "push": { "type": "boolean" },
                    "tryImportMissing": { "type": "boolean" },
                    "useDockerCLI": { "type": "boolean" },
                    "useBuildkit": { "type": "boolean" },
                    "concurrency": { "type": "integer", "minimum": 0 }
                  }
                }
              }
            },
            "deploy": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "helm": {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "releases": { "type": "array", "items": { "$ref": "#/definitions/release" } },
                    "flags": {
                      "type": "object",
                      "additionalProperties": false,
                      "properties": {
                        "global": { "$ref": "#/definitions/strings" },
                        "install": { "$ref": "#/definitions/strings" },
                        "upgrade": { "$ref": "#/definitions/strings" }
                      }
                    }
                  }
                },
                "statusCheck": { "type": "boolean" },
                "statusCheckDeadlineSeconds": { "type": "integer", "minimum": 0 },
                "tolerateFailuresUntilDeadline": { "type": "boolean" },
                "kubeContext": { "type": "string" }
              }
            },
            "release": {
              "type": "object",
              "additionalProperties": false,
              "required": ["name"],
              "properties": {
                "name": { "type": "string" },
                "chartPath": { "type": "string" },
                "remoteChart": { "type": "string" },
                "valuesFiles": { "$ref": "#/definitions/strings" },
                "namespace": { "type": "string" },
                "version": { "type": "string" },
                "setValues": { "type": "object" },
                "setValueTemplates": { "type": "object" },
                "setFiles": { "type": "object" },
                "createNamespace": { "type": "boolean" },
                "wait": { "type": "boolean" },
                "recreatePods": { "type": "boolean" },
                "skipBuildDependencies": { "type": "boolean" },
                "skipTests": { "type": "boolean" },
                "useHelmSecrets": { "type": "boolean" },
                "repo": { "type": "string" },
                "upgradeOnChange": { "type": "boolean" },
                "overrides": { "type": "object" }
              }
            }
          }
        }
        """;
}
