// n8n finds this package's nodes and credentials through the "n8n" section of package.json;
// there is nothing to export here.
module.exports = {};
