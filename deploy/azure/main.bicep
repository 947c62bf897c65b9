// ArchBot on Azure: an Azure Bot (Teams, Web Chat and Direct Line channels) whose messaging
// endpoint is a Container App running N instances of the ArchBot image; all instances share
// conversation state in one Blob Storage container. The bot authenticates as a user-assigned
// managed identity (no app password to rotate), which also pulls the image from your registry.
//
//   az deployment group create -g <group> -f deploy/azure/main.bicep \
//     -p deploy/azure/main.parameters.example.json -p containerImage=<registry>.azurecr.io/archbot:1
//
// Walkthrough from zero to a bot in Teams: deploy/README.md.

@description('Short name used to derive every resource name (lowercase letters and digits).')
@minLength(3)
@maxLength(12)
param name string = 'archbot'

@description('Region of the resources (the Azure Bot itself is global).')
param location string = resourceGroup().location

@description('The ArchBot image, e.g. myregistry.azurecr.io/archbot:1 (built from deploy/Dockerfile).')
param containerImage string

@description('Name of an existing Azure Container Registry in this resource group holding the image.')
param registryName string

@description('How many instances serve the bot (they share state in Blob Storage).')
@minValue(1)
@maxValue(10)
param instanceCount int = 2

@description('Key for the admin endpoint POST /api/notify (archbot notify). Empty disables it.')
@secure()
param adminKey string = ''

@description('A secret of the Azure Bot\'s Direct Line channel (portal: the bot, Channels, Direct Line, Default Site, Show), so the bot\'s own chat page can get tokens. Empty: the page says it is not configured (a second deployment can add it).')
@secure()
param directLineSecret string = ''

@description('Azure Bot pricing tier: F0 (free, standard channels) or S1.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

var suffix = uniqueString(resourceGroup().id, name)
var stateContainer = 'archbot-state'
var port = 3978
var acrPullRole = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '7f951dda-4ed3-4680-a7ca-43fe172d538d'
)

// -- identity: the bot's Microsoft App ID, and the image pull ------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id-${suffix}'
  location: location
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource pullImage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identity.id, acrPullRole)
  scope: registry
  properties: {
    roleDefinitionId: acrPullRole
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// -- state: one blob container shared by every instance ------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('${name}${suffix}', 24)
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: stateContainer
  properties: {
    publicAccess: 'None'
  }
}

// -- hosting: a Container Apps environment and the app with N instances --------------------------

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${name}-env-${suffix}'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${name}-app'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  dependsOn: [
    pullImage
    container
  ]
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      ingress: {
        external: true
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registry.properties.loginServer
          identity: identity.id
        }
      ]
      secrets: [
        {
          name: 'storage-connection-string'
          value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${az.environment().suffixes.storage}'
        }
        {
          name: 'admin-key'
          value: adminKey
        }
        {
          name: 'directline-secret'
          value: directLineSecret
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'archbot'
          image: containerImage
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
          env: [
            { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
            { name: 'MicrosoftAppId', value: identity.properties.clientId }
            { name: 'MicrosoftAppTenantId', value: identity.properties.tenantId }
            { name: 'ARCHBOT_STORAGE', value: 'blob://${stateContainer}' }
            { name: 'ARCHBOT_BLOB_CONNECTION_STRING', secretRef: 'storage-connection-string' }
            { name: 'ARCHBOT_ADMIN_KEY', secretRef: 'admin-key' }
            { name: 'DirectLineSecret', secretRef: 'directline-secret' }
            // one proxy (the Container Apps ingress) in front: rate limits count each client
            { name: 'ARCHBOT_FORWARDED_HOPS', value: '1' }
            { name: 'HOST', value: '0.0.0.0' }
            { name: 'PORT', value: string(port) }
          ]
          probes: [
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: port
              }
              periodSeconds: 30
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/healthz'
                port: port
              }
              periodSeconds: 10
            }
          ]
        }
      ]
      scale: {
        minReplicas: instanceCount
        maxReplicas: instanceCount
      }
    }
  }
}

// -- the Azure Bot: its endpoint is the app; channels Teams, Web Chat and Direct Line ------------

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-bot-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: 'ArchBot'
    description: 'Helps engineers choose Azure AI and data services and design AI architectures.'
    endpoint: 'https://${app.properties.configuration.ingress.fqdn}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppTenantId: identity.properties.tenantId
    msaAppMSIResourceId: identity.id
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

resource webChat 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'WebChatChannel'
  location: 'global'
  properties: {
    channelName: 'WebChatChannel'
    properties: {
      sites: [
        {
          siteName: 'Default Site'
          isEnabled: true
          isWebchatPreviewEnabled: true
        }
      ]
    }
  }
}

resource directLine 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'DirectLineChannel'
  location: 'global'
  properties: {
    channelName: 'DirectLineChannel'
    properties: {
      sites: [
        {
          siteName: 'Default Site'
          isEnabled: true
          isV1Enabled: false
          isV3Enabled: true
          isSecureSiteEnabled: false
        }
      ]
    }
  }
}

output botName string = bot.name
output messagingEndpoint string = bot.properties.endpoint
output appId string = identity.properties.clientId
output tenantId string = identity.properties.tenantId
output storageAccount string = storage.name
