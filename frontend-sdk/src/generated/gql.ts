/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation AddReview($input: AddReviewInput!) {\n  addReview(input: $input) {\n    id\n    rating\n    body\n    product {\n      id\n      averageRating\n      reviewCount\n    }\n  }\n}": typeof types.AddReviewDocument,
    "mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    id\n    status\n  }\n}": typeof types.CancelOrderDocument,
    "query Catalog($first: Int!, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        price {\n          amountCents\n          currency\n        }\n        inStock\n        averageRating\n        reviewCount\n      }\n    }\n  }\n}": typeof types.CatalogDocument,
    "query Categories {\n  categories {\n    id\n    name\n    slug\n  }\n}": typeof types.CategoriesDocument,
    "mutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    token\n    user {\n      id\n      name\n    }\n  }\n}": typeof types.LogInDocument,
    "query Me {\n  me {\n    id\n    name\n    email\n    orders(first: 10) {\n      id\n      status\n      createdAt\n      total {\n        amountCents\n        currency\n      }\n      items {\n        quantity\n        unitPrice {\n          amountCents\n          currency\n        }\n        product {\n          id\n          name\n        }\n      }\n    }\n    reviews {\n      id\n      rating\n      product {\n        id\n        name\n      }\n    }\n  }\n}": typeof types.MeDocument,
    "query Order($id: ID!) {\n  order(id: $id) {\n    id\n    status\n    createdAt\n    user {\n      id\n      name\n    }\n    total {\n      amountCents\n      currency\n    }\n  }\n}": typeof types.OrderDocument,
    "subscription OrderStatusChanged($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    items {\n      quantity\n      product {\n        id\n        name\n      }\n    }\n  }\n}": typeof types.OrderStatusChangedDocument,
    "mutation PlaceOrder($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n    rejectionReason\n    total {\n      amountCents\n      currency\n    }\n    items {\n      quantity\n      unitPrice {\n        amountCents\n        currency\n      }\n      product {\n        id\n        name\n        stock\n      }\n    }\n  }\n}": typeof types.PlaceOrderDocument,
    "query ProductPage($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    name\n    description\n    price {\n      amountCents\n      currency\n    }\n    category {\n      id\n      name\n      slug\n    }\n    inStock\n    stock\n    shippingEstimate {\n      amountCents\n      currency\n    }\n    averageRating\n    reviewCount\n    reviews(first: 5) {\n      id\n      rating\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n}": typeof types.ProductPageDocument,
    "subscription ReviewAdded($productId: ID!) {\n  reviewAdded(productId: $productId) {\n    id\n    rating\n    body\n    author {\n      id\n      name\n    }\n    product {\n      id\n      averageRating\n    }\n  }\n}": typeof types.ReviewAddedDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    user {\n      id\n      name\n      email\n    }\n  }\n}": typeof types.SignUpDocument,
};
const documents: Documents = {
    "mutation AddReview($input: AddReviewInput!) {\n  addReview(input: $input) {\n    id\n    rating\n    body\n    product {\n      id\n      averageRating\n      reviewCount\n    }\n  }\n}": types.AddReviewDocument,
    "mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    id\n    status\n  }\n}": types.CancelOrderDocument,
    "query Catalog($first: Int!, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        price {\n          amountCents\n          currency\n        }\n        inStock\n        averageRating\n        reviewCount\n      }\n    }\n  }\n}": types.CatalogDocument,
    "query Categories {\n  categories {\n    id\n    name\n    slug\n  }\n}": types.CategoriesDocument,
    "mutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    token\n    user {\n      id\n      name\n    }\n  }\n}": types.LogInDocument,
    "query Me {\n  me {\n    id\n    name\n    email\n    orders(first: 10) {\n      id\n      status\n      createdAt\n      total {\n        amountCents\n        currency\n      }\n      items {\n        quantity\n        unitPrice {\n          amountCents\n          currency\n        }\n        product {\n          id\n          name\n        }\n      }\n    }\n    reviews {\n      id\n      rating\n      product {\n        id\n        name\n      }\n    }\n  }\n}": types.MeDocument,
    "query Order($id: ID!) {\n  order(id: $id) {\n    id\n    status\n    createdAt\n    user {\n      id\n      name\n    }\n    total {\n      amountCents\n      currency\n    }\n  }\n}": types.OrderDocument,
    "subscription OrderStatusChanged($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    items {\n      quantity\n      product {\n        id\n        name\n      }\n    }\n  }\n}": types.OrderStatusChangedDocument,
    "mutation PlaceOrder($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n    rejectionReason\n    total {\n      amountCents\n      currency\n    }\n    items {\n      quantity\n      unitPrice {\n        amountCents\n        currency\n      }\n      product {\n        id\n        name\n        stock\n      }\n    }\n  }\n}": types.PlaceOrderDocument,
    "query ProductPage($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    name\n    description\n    price {\n      amountCents\n      currency\n    }\n    category {\n      id\n      name\n      slug\n    }\n    inStock\n    stock\n    shippingEstimate {\n      amountCents\n      currency\n    }\n    averageRating\n    reviewCount\n    reviews(first: 5) {\n      id\n      rating\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n}": types.ProductPageDocument,
    "subscription ReviewAdded($productId: ID!) {\n  reviewAdded(productId: $productId) {\n    id\n    rating\n    body\n    author {\n      id\n      name\n    }\n    product {\n      id\n      averageRating\n    }\n  }\n}": types.ReviewAddedDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    user {\n      id\n      name\n      email\n    }\n  }\n}": types.SignUpDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AddReview($input: AddReviewInput!) {\n  addReview(input: $input) {\n    id\n    rating\n    body\n    product {\n      id\n      averageRating\n      reviewCount\n    }\n  }\n}"): (typeof documents)["mutation AddReview($input: AddReviewInput!) {\n  addReview(input: $input) {\n    id\n    rating\n    body\n    product {\n      id\n      averageRating\n      reviewCount\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    id\n    status\n  }\n}"): (typeof documents)["mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    id\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Catalog($first: Int!, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        price {\n          amountCents\n          currency\n        }\n        inStock\n        averageRating\n        reviewCount\n      }\n    }\n  }\n}"): (typeof documents)["query Catalog($first: Int!, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        price {\n          amountCents\n          currency\n        }\n        inStock\n        averageRating\n        reviewCount\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Categories {\n  categories {\n    id\n    name\n    slug\n  }\n}"): (typeof documents)["query Categories {\n  categories {\n    id\n    name\n    slug\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    token\n    user {\n      id\n      name\n    }\n  }\n}"): (typeof documents)["mutation LogIn($input: LogInInput!) {\n  logIn(input: $input) {\n    token\n    user {\n      id\n      name\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    name\n    email\n    orders(first: 10) {\n      id\n      status\n      createdAt\n      total {\n        amountCents\n        currency\n      }\n      items {\n        quantity\n        unitPrice {\n          amountCents\n          currency\n        }\n        product {\n          id\n          name\n        }\n      }\n    }\n    reviews {\n      id\n      rating\n      product {\n        id\n        name\n      }\n    }\n  }\n}"): (typeof documents)["query Me {\n  me {\n    id\n    name\n    email\n    orders(first: 10) {\n      id\n      status\n      createdAt\n      total {\n        amountCents\n        currency\n      }\n      items {\n        quantity\n        unitPrice {\n          amountCents\n          currency\n        }\n        product {\n          id\n          name\n        }\n      }\n    }\n    reviews {\n      id\n      rating\n      product {\n        id\n        name\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Order($id: ID!) {\n  order(id: $id) {\n    id\n    status\n    createdAt\n    user {\n      id\n      name\n    }\n    total {\n      amountCents\n      currency\n    }\n  }\n}"): (typeof documents)["query Order($id: ID!) {\n  order(id: $id) {\n    id\n    status\n    createdAt\n    user {\n      id\n      name\n    }\n    total {\n      amountCents\n      currency\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription OrderStatusChanged($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    items {\n      quantity\n      product {\n        id\n        name\n      }\n    }\n  }\n}"): (typeof documents)["subscription OrderStatusChanged($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    items {\n      quantity\n      product {\n        id\n        name\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PlaceOrder($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n    rejectionReason\n    total {\n      amountCents\n      currency\n    }\n    items {\n      quantity\n      unitPrice {\n        amountCents\n        currency\n      }\n      product {\n        id\n        name\n        stock\n      }\n    }\n  }\n}"): (typeof documents)["mutation PlaceOrder($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n    rejectionReason\n    total {\n      amountCents\n      currency\n    }\n    items {\n      quantity\n      unitPrice {\n        amountCents\n        currency\n      }\n      product {\n        id\n        name\n        stock\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ProductPage($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    name\n    description\n    price {\n      amountCents\n      currency\n    }\n    category {\n      id\n      name\n      slug\n    }\n    inStock\n    stock\n    shippingEstimate {\n      amountCents\n      currency\n    }\n    averageRating\n    reviewCount\n    reviews(first: 5) {\n      id\n      rating\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n}"): (typeof documents)["query ProductPage($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    name\n    description\n    price {\n      amountCents\n      currency\n    }\n    category {\n      id\n      name\n      slug\n    }\n    inStock\n    stock\n    shippingEstimate {\n      amountCents\n      currency\n    }\n    averageRating\n    reviewCount\n    reviews(first: 5) {\n      id\n      rating\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ReviewAdded($productId: ID!) {\n  reviewAdded(productId: $productId) {\n    id\n    rating\n    body\n    author {\n      id\n      name\n    }\n    product {\n      id\n      averageRating\n    }\n  }\n}"): (typeof documents)["subscription ReviewAdded($productId: ID!) {\n  reviewAdded(productId: $productId) {\n    id\n    rating\n    body\n    author {\n      id\n      name\n    }\n    product {\n      id\n      averageRating\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    user {\n      id\n      name\n      email\n    }\n  }\n}"): (typeof documents)["mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    user {\n      id\n      name\n      email\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;