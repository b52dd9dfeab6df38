/** A small roster shared by the unit tests: two provinces, three schools, one host classroom. */
import type { ClassroomView, SchoolView } from '@cloudschool/protocol';

export const schools: SchoolView[] = [
  {
    id: 's1',
    name: '实验小学',
    province: '四川省',
    city: '成都市',
    district: '武侯区',
    timeZone: 'Asia/Shanghai',
  },
  {
    id: 's2',
    name: '阳光小学',
    province: '四川省',
    city: '绵阳市',
    district: '涪城区',
    timeZone: 'Asia/Shanghai',
  },
  {
    id: 's3',
    name: '希望中学',
    province: '贵州省',
    city: '贵阳市',
    district: '云岩区',
    timeZone: 'Asia/Shanghai',
  },
];

export const classrooms: ClassroomView[] = [
  { id: 'c1', schoolId: 's1', name: '录播教室', kind: 'host', notes: '', code: 'HOST01' },
  { id: 'c2', schoolId: 's1', name: '三年级一班', kind: 'remote', notes: '投影较暗', code: 'AB12CD' },
  { id: 'c3', schoolId: 's2', name: '三年级二班', kind: 'remote', notes: '', code: 'EF34GH' },
  { id: 'c4', schoolId: 's3', name: '初一（1）班', kind: 'remote', notes: '', code: 'JK56LM' },
];
