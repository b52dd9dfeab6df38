/**
 * Chinese (zh-CN), the default language and the reference dictionary: its keys
 * define MessageKey, and every other dictionary must have exactly these keys.
 * `{name}` marks a value filled in by translate().
 */
export const zhCN = {
  'app.tagline': '双师课堂直播',
  'lang.switchTo': 'English',
  'lang.switchHint': 'Switch to English',

  'landing.lessonIdLabel': '课程号',
  'landing.lessonIdHelp': '课程号由教务老师提供，只包含字母、数字、- 或 _。',
  'landing.lessonIdInvalid': '请输入正确的课程号：1 到 64 个字母、数字、- 或 _。',
  'landing.enterHost': '我是主讲老师',
  'landing.enterHostHint': '用摄像头和麦克风给各个教室上课',
  'landing.enterClassroom': '进入教室',
  'landing.enterClassroomHint': '在教室电脑上全屏播放主讲老师的画面',

  'device.camera': '摄像头',
  'device.mic': '麦克风',
  'device.cameraN': '摄像头 {n}',
  'device.micN': '麦克风 {n}',
  'device.none': '未找到设备',
  'device.searching': '正在查找设备…',

  'link.connecting': '正在连接…',
  'link.ready': '已连接',
  'link.reconnecting': '网络中断，正在重新连接…',

  'error.invalidLesson': '课程号不正确，请返回首页重新输入。',
  'error.notFound': '找不到这节课，请确认课程号是否正确。',
  'error.forbidden': '没有权限进入这节课。',
  'error.unsupported': '这个浏览器不支持直播，请使用最新版的 Chrome、Edge 或 Firefox。',
  'error.reload': '重新加载',
  'error.generic': '出现了问题，请重新加载页面。',
  'error.pageNotFound': '找不到这个页面。',
  'error.backHome': '返回首页',

  'host.pageTitle': '主讲老师 · {lessonId}',
  'host.heading': '主讲老师',
  'host.lesson': '课程号 {lessonId}',
  'host.live': '直播中',
  'host.notLive': '未开播',
  'host.start': '开始直播',
  'host.starting': '正在开播…',
  'host.stop': '停止直播',
  'host.stopping': '正在停止…',
  'host.resuming': '正在恢复直播…',
  'host.classroomCount': '已连接的教室',
  'host.preview': '本机画面预览（各教室看到的就是这个画面）',
  'host.noPicture': '没有摄像头画面',
  'host.devices': '设备',
  'host.camera': '摄像头',
  'host.mic': '麦克风',
  'host.needMedia': '需要摄像头或麦克风才能开播。',
  'host.startFailed': '开播失败，请检查网络后再试一次。',
  'host.replaced': '主讲老师页面已在另一个窗口打开，这个页面已停止。',

  'capture.retry': '重试',
  'capture.denied': '浏览器没有允许使用{device}。请点击地址栏里的摄像头图标，选择“允许”，然后点“重试”。',
  'capture.notFound': '没有找到{device}，请检查设备是否已经插好，然后点“重试”。',
  'capture.busy': '{device}正被其他程序占用（例如会议软件），请关闭那个程序后点“重试”。',
  'capture.badDevice': '选中的{device}无法使用，请换一个设备。',
  'capture.ended': '{device}已断开，请检查连接后点“重试”。',
  'capture.insecure': '请用 HTTPS 地址打开本页面，浏览器才允许使用摄像头和麦克风。',
  'capture.unknown': '无法打开{device}，请点“重试”。',

  'classroom.pageTitle': '教室 · {lessonId}',
  'classroom.lesson': '课程号 {lessonId}',
  'classroom.live': '直播中',
  'classroom.waiting': '等待主讲老师开始上课',
  'classroom.waitingHint': '上课后画面会自动出现',
  'classroom.hostLeft': '主讲老师已离开',
  'classroom.hostStopped': '主讲老师已停止直播',
  'classroom.hostOfflineHint': '老师重新开播后会自动继续播放',
  'classroom.reconnectingHint': '网络恢复后会自动继续播放',
  'classroom.replaced': '这个教室已在另一个页面打开，这个页面已停止播放。',
  'classroom.enableSound': '点击开启声音',
  'classroom.fullscreen': '全屏（F）',
  'classroom.exitFullscreen': '退出全屏（F）',
  'classroom.video': '主讲老师的直播画面',
} as const;

export type MessageKey = keyof typeof zhCN;
/** A dictionary with exactly the reference keys. */
export type Messages = { readonly [K in MessageKey]: string };
