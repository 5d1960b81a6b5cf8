import {defineResource, notImplemented} from '../../router.js';

/** Flex v1 operations of the spec the emulator does not implement: 501 with a Twilio body. */
export const UNIMPLEMENTED = [
  'GET /v1/Channels', 'POST /v1/Channels', 'GET /v1/Channels/:Sid', 'DELETE /v1/Channels/:Sid',
  'GET /v1/PluginService/Configurations/:ConfigurationSid/Plugins', 'GET /v1/PluginService/Configurations/:ConfigurationSid/Plugins/:PluginSid',
  'GET /v1/FlexFlows', 'POST /v1/FlexFlows', 'GET /v1/FlexFlows/:Sid', 'POST /v1/FlexFlows/:Sid', 'DELETE /v1/FlexFlows/:Sid',
  'POST /v1/Insights/QualityManagement/Assessments', 'GET /v1/Insights/QualityManagement/Assessments',
  'POST /v1/Insights/QualityManagement/Assessments/:AssessmentSid', 'POST /v1/Insights/QualityManagement/Assessments/Comments',
  'GET /v1/Insights/QualityManagement/Assessments/Comments', 'GET /v1/Insights/Conversations',
  'POST /v1/Insights/QualityManagement/Questionnaires', 'GET /v1/Insights/QualityManagement/Questionnaires',
  'POST /v1/Insights/QualityManagement/Questionnaires/:QuestionnaireSid', 'DELETE /v1/Insights/QualityManagement/Questionnaires/:QuestionnaireSid',
  'GET /v1/Insights/QualityManagement/Questionnaires/:QuestionnaireSid', 'POST /v1/Insights/QualityManagement/Categories',
  'GET /v1/Insights/QualityManagement/Categories', 'POST /v1/Insights/QualityManagement/Categories/:CategorySid',
  'DELETE /v1/Insights/QualityManagement/Categories/:CategorySid', 'POST /v1/Insights/QualityManagement/Questions',
  'GET /v1/Insights/QualityManagement/Questions', 'POST /v1/Insights/QualityManagement/Questions/:QuestionSid',
  'DELETE /v1/Insights/QualityManagement/Questions/:QuestionSid', 'GET /v1/Insights/Segments', 'POST /v1/Insights/Session',
  'GET /v1/Insights/QualityManagement/Settings/AnswerSets', 'GET /v1/Insights/QualityManagement/Settings/CommentTags',
  'GET /v1/Insights/UserRoles', 'GET /v1/PluginService/Plugins', 'POST /v1/PluginService/Plugins', 'GET /v1/PluginService/Plugins/:Sid',
  'POST /v1/PluginService/Plugins/:Sid', 'POST /v1/PluginService/Plugins/:Sid/Archive', 'GET /v1/PluginService/Configurations',
  'POST /v1/PluginService/Configurations', 'GET /v1/PluginService/Configurations/:Sid', 'POST /v1/PluginService/Configurations/:Sid/Archive',
  'GET /v1/PluginService/Releases', 'POST /v1/PluginService/Releases', 'GET /v1/PluginService/Releases/:Sid',
  'GET /v1/PluginService/Plugins/:PluginSid/Versions', 'POST /v1/PluginService/Plugins/:PluginSid/Versions',
  'GET /v1/PluginService/Plugins/:PluginSid/Versions/:Sid', 'POST /v1/PluginService/Plugins/:PluginSid/Versions/:Sid/Archive',
  'GET /v1/account/provision/status', 'GET /v1/WebChannels', 'POST /v1/WebChannels', 'GET /v1/WebChannels/:Sid',
  'POST /v1/WebChannels/:Sid', 'DELETE /v1/WebChannels/:Sid',
];

const stub = notImplemented('this part of the Flex API (plugins, insights, FlexFlows, WebChannels and legacy Channels)');

export default defineResource({
  domain: 'flex-api',
  routes: Object.fromEntries(UNIMPLEMENTED.map((r) => [r, stub])),
});
