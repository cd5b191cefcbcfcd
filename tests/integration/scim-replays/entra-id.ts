import type { Replay } from "./types";

/**
 * The requests Microsoft Entra ID's provisioning service sends, in the order its
 * documentation lists them ("Tutorial: Develop and plan provisioning for a SCIM endpoint
 * in Microsoft Entra ID", User operations and Group operations), plus the forms from
 * "Known issues and resolutions with SCIM 2.0 protocol compliance" (capitalised ops,
 * booleans sent as strings, Add for an empty attribute). Entra's examples use GUID-like
 * userNames; Ripple's userName is the email, so the values here are addresses.
 */
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

export const entraIdReplay: Replay = {
  source: "Microsoft Entra ID provisioning service (scim job)",
  steps: [
    {
      name: "Get User by query (no match yet)",
      method: "GET",
      path: 'Users?filter=userName eq "{{userName}}"',
      expect: { status: 200, body: { schemas: [LIST], totalResults: 0, Resources: [], startIndex: 1, itemsPerPage: 0 } },
    },
    {
      name: "Create User",
      method: "POST",
      path: "Users",
      body: {
        schemas: [USER, ENTERPRISE],
        externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        userName: "{{userName}}",
        active: true,
        emails: [{ primary: true, type: "work", value: "{{userName}}" }],
        meta: { resourceType: "User" },
        name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
        roles: [],
        [ENTERPRISE]: { department: "Kommunikation", employeeNumber: "100009" },
      },
      expect: {
        status: 201,
        body: {
          schemas: [USER],
          externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
          userName: "{{userName}}",
          active: true,
          name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
          emails: [{ primary: true, type: "work", value: "{{userName}}" }],
          meta: { resourceType: "User" },
        },
      },
      capture: { userId: "id" },
    },
    {
      name: "Get User",
      method: "GET",
      path: "Users/{{userId}}",
      expect: { status: 200, body: { id: "{{userId}}", userName: "{{userName}}", externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", active: true } },
    },
    {
      name: "Get User by query",
      method: "GET",
      path: 'Users?filter=userName eq "{{userName}}"',
      expect: { status: 200, body: { schemas: [LIST], totalResults: 1, itemsPerPage: 1, Resources: [{ id: "{{userId}}", userName: "{{userName}}" }] } },
    },
    {
      name: "Get User by query - Zero results",
      method: "GET",
      path: 'Users?filter=userName eq "non-existent user"',
      expect: { status: 200, body: { schemas: [LIST], totalResults: 0, Resources: [] } },
    },
    {
      name: "Get User by externalId (matching attribute)",
      method: "GET",
      path: 'Users?filter=externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
      expect: { status: 200, body: { totalResults: 1, Resources: [{ id: "{{userId}}" }] } },
    },
    {
      name: "Update User [Multi-valued properties]",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: {
        schemas: [PATCH],
        Operations: [
          { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.example" },
          { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        ],
      },
      expect: {
        status: 200,
        body: { id: "{{userId}}", userName: "{{userName}}", name: { familyName: "updatedFamilyName", givenName: "givenName" }, emails: [{ type: "work", value: "updatedEmail@microsoft.example" }] },
      },
    },
    {
      name: "Update User [Single-valued properties]",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Replace", path: "userName", value: "{{newUserName}}" }] },
      expect: { status: 200, body: { id: "{{userId}}", userName: "{{newUserName}}" } },
    },
    {
      name: "Update User [Add an attribute that was empty] (known issues: Add)",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Add", path: "displayName", value: "Ellen Reckert" }, { op: "Add", path: `${ENTERPRISE}:department`, value: "HR" }] },
      expect: { status: 200, body: { displayName: "Ellen Reckert" } },
    },
    {
      name: "Disable User",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: false }] },
      expect: { status: 200, body: { id: "{{userId}}", active: false } },
    },
    {
      name: "Disabled user is still found by query, with active false",
      method: "GET",
      path: 'Users?filter=userName eq "{{newUserName}}"',
      expect: { status: 200, body: { totalResults: 1, Resources: [{ id: "{{userId}}", active: false }] } },
    },
    {
      name: "Enable User with the boolean as a string (known issues: \"True\")",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: "True" }] },
      expect: { status: 200, body: { active: true } },
    },
    {
      name: "Disable User with the boolean as a string (known issues: \"False\")",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: "False" }] },
      expect: { status: 200, body: { active: false } },
    },
    {
      name: "Create Group",
      method: "POST",
      path: "Groups",
      body: {
        schemas: [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        displayName: "{{groupName}}",
        meta: { resourceType: "Group" },
      },
      expect: { status: 201, body: { schemas: [GROUP], displayName: "{{groupName}}", externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", members: [], meta: { resourceType: "Group" } } },
      capture: { groupId: "id" },
    },
    {
      name: "Get Group",
      method: "GET",
      path: "Groups/{{groupId}}?excludedAttributes=members",
      expect: { status: 200, body: { id: "{{groupId}}", displayName: "{{groupName}}" }, absent: ["members"] },
    },
    {
      name: "Get Group by displayName",
      method: "GET",
      path: 'Groups?excludedAttributes=members&filter=displayName eq "{{groupName}}"',
      expect: { status: 200, body: { schemas: [LIST], totalResults: 1, Resources: [{ id: "{{groupId}}", displayName: "{{groupName}}" }] } },
    },
    {
      name: "Update Group [Non-member attributes]",
      method: "PATCH",
      path: "Groups/{{groupId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Replace", path: "displayName", value: "{{groupName}} updatedDisplayName" }] },
      expect: { status: 204 },
    },
    {
      name: "Update Group [Add Members]",
      method: "PATCH",
      path: "Groups/{{groupId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: "{{otherUserId}}" }] }] },
      expect: { status: 204 },
    },
    {
      name: "The group now lists the member",
      method: "GET",
      path: "Groups/{{groupId}}",
      expect: { status: 200, body: { displayName: "{{groupName}} updatedDisplayName", members: [{ value: "{{otherUserId}}" }] } },
    },
    {
      name: "Update Group [Remove Members]",
      method: "PATCH",
      path: "Groups/{{groupId}}",
      body: { schemas: [PATCH], Operations: [{ op: "Remove", path: "members", value: [{ $ref: null, value: "{{otherUserId}}" }] }] },
      expect: { status: 204 },
    },
    {
      name: "The group is empty again",
      method: "GET",
      path: "Groups/{{groupId}}",
      expect: { status: 200, body: { members: [] } },
    },
    {
      name: "Delete Group",
      method: "DELETE",
      path: "Groups/{{groupId}}",
      expect: { status: 204 },
    },
    {
      name: "Delete User",
      method: "DELETE",
      path: "Users/{{userId}}",
      expect: { status: 204 },
    },
    {
      name: "A deleted user answers 404",
      method: "GET",
      path: "Users/{{userId}}",
      expect: { status: 404, body: { schemas: [ERROR], status: "404" } },
    },
  ],
};
